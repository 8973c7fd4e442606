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
