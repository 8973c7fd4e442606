//! Turning a branch's tips into a plan: the decision (`plan::decide`) plus the commits it
//! concerns (docs/report.md `commits`). Reads the cache; writes nothing.

use crate::cache::{Cache, CacheError};
use crate::oid::Oid;
use crate::outcome::BranchPlan;
use crate::plan::{decide, Action, Tips};
use crate::refname::BranchName;

use super::survey::Survey;

/// Returns the plan for `name`, whose tips the survey holds.
pub fn plan_branch(
    cache: &Cache,
    survey: &Survey,
    name: &BranchName,
    tips: Tips,
) -> Result<BranchPlan, CacheError> {
    let action = decide(tips, cache)?;
    let mut plan = BranchPlan {
        name: name.clone(),
        tips,
        action,
        commits: Vec::new(),
        gitlab_only: Vec::new(),
        fusion_only: Vec::new(),
        reasons: Vec::new(),
        lfs: None,
    };
    let only = |a: Option<Oid>, b: Option<Oid>| cache.commits_between(&opt(a), &opt(b));
    match action {
        Action::InSync | Action::Deleted { .. } => {}
        Action::PushToFusion { .. } | Action::PushToGitlab { .. } => {
            let target = action.target().expect("a push has a target");
            let source = tips.on(target.other());
            // What the target lacks: not on any of its mirrored branches, not only this one.
            plan.commits = cache.commits_between(&opt(source), &survey.tips_on(target))?;
        }
        Action::Rewritten { side } => plan.commits = only(tips.base, tips.on(side))?,
        Action::Diverged => {
            plan.gitlab_only = only(tips.gitlab, tips.fusion)?;
            plan.fusion_only = only(tips.fusion, tips.gitlab)?;
            plan.commits = [plan.gitlab_only.clone(), plan.fusion_only.clone()].concat();
        }
    }
    Ok(plan)
}

fn opt(oid: Option<Oid>) -> Vec<Oid> {
    oid.into_iter().collect()
}

/// Returns the one-line description of a plan, for output and the journal.
pub fn describe(plan: &BranchPlan) -> String {
    let tips = plan.tips;
    let short = |o: Option<Oid>| o.map_or("(none)".to_string(), |o| o.short());
    let count = |n: usize| {
        if n == 1 {
            "1 commit".to_string()
        } else {
            format!("{n} commits")
        }
    };
    match plan.action {
        Action::InSync => format!("at {}", short(tips.gitlab)),
        Action::PushToFusion { .. } | Action::PushToGitlab { .. } => {
            let target = plan.action.target().expect("a push has a target");
            let from = tips.on(target).map_or("new branch".to_string(), |o| o.short());
            format!("{from} -> {} ({})", short(tips.on(target.other())), count(plan.commits.len()))
        }
        Action::Deleted { side } => format!(
            "deleted on {} (was at {}); {} still at {}; not propagated",
            side.as_str(),
            short(tips.base),
            side.other().as_str(),
            short(tips.on(side.other()))
        ),
        Action::Rewritten { side } => format!(
            "{} moved from {} to {}, which does not contain it: {} would be lost: {}",
            side.as_str(),
            short(tips.base),
            short(tips.on(side)),
            count(plan.commits.len()),
            list(&plan.commits)
        ),
        Action::Diverged => format!(
            "gitlab has {}: {}; fusion has {}: {}",
            count(plan.gitlab_only.len()),
            list(&plan.gitlab_only),
            count(plan.fusion_only.len()),
            list(&plan.fusion_only)
        ),
    }
}

/// Returns up to eight short ids, then how many more: enough to find them, short enough to read.
fn list(commits: &[Oid]) -> String {
    const SHOWN: usize = 8;
    let mut text: Vec<String> = commits.iter().take(SHOWN).map(Oid::short).collect();
    if commits.len() > SHOWN {
        text.push(format!("and {} more", commits.len() - SHOWN));
    }
    text.join(" ")
}
