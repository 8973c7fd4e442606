//! Turning a branch's tips into a plan: the decision (`plan::decide`) plus the commits it
//! concerns (docs/report.md `commits`). Reads the cache; writes nothing.
//!
//! A push's commits are not listed here: the pass that reads them (the preflight, or the LFS
//! scan) lists them as git walks its range (`push_range`), and only a push no pass reads has
//! them listed on their own (`Run::attempt`).

use crate::cache::{Cache, CacheError};
use crate::git::log::Range;
use crate::oid::Oid;
use crate::outcome::BranchPlan;
use crate::plan::{decide, Action, Tips};
use crate::refname::BranchName;

use super::survey::Survey;

/// Returns the plan for `name`, whose tips the survey holds.
pub fn plan_branch(cache: &Cache, name: &BranchName, tips: Tips) -> Result<BranchPlan, CacheError> {
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
    let only = |a: Option<Oid>, b: Option<Oid>| {
        cache.commits_between(&Range { include: opt(a), exclude: opt(b) })
    };
    match action {
        Action::InSync | Action::Deleted { .. } => {}
        Action::PushToFusion { .. } | Action::PushToGitlab { .. } => {}
        Action::Rewritten { side } => plan.commits = only(tips.base, tips.on(side))?,
        Action::Diverged => {
            plan.gitlab_only = only(tips.gitlab, tips.fusion)?;
            plan.fusion_only = only(tips.fusion, tips.gitlab)?;
            plan.commits = [plan.gitlab_only.clone(), plan.fusion_only.clone()].concat();
        }
    }
    Ok(plan)
}

/// Returns the commits `plan`'s push carries: those of the source tip that are on none of the
/// target's mirrored branches (not only this one); empty for an action that pushes nothing.
pub fn push_range(survey: &Survey, plan: &BranchPlan) -> Range {
    let Some(target) = plan.action.target() else { return Range::default() };
    Range { include: opt(plan.tips.on(target.other())), exclude: survey.tips_on(target) }
}

fn opt(oid: Option<Oid>) -> Vec<Oid> {
    oid.into_iter().collect()
}
