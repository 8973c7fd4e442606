//! Carrying out the planned pushes: one atomic, compare-and-swap push per remote, both remotes
//! at once, and the classification of each ref's result (docs/architecture.md).
//!
//! Must not plan: it receives plans and reports per-branch results.

use std::collections::BTreeMap;

use crate::cache::Cache;
use crate::config::Workspace;
use crate::git::porcelain::RefResult;
use crate::git::remote::{self, PushOutcome, Update};
use crate::git::{Git, GitError};
use crate::outcome::{BranchPlan, TagPlan};
use crate::plan::Side;
use crate::refname::RefName;

/// What became of one branch's push.
#[derive(Clone, Debug)]
pub enum PushResult {
    /// The remote now has the new tip.
    Done { push_id: Option<u64> },
    /// The remote already had the new tip: another writer pushed the same commit (an
    /// interrupted run's push that landed late, a person): nothing of ours to confirm.
    AlreadyThere,
    /// The remote moved since planning (or another ref's lease failed): plan again.
    LostRace,
    /// The remote refused; its reason and messages.
    Refused(String),
    /// git could not push to `side` at all.
    Error { side: Side, message: String },
}

/// Returns the update a branch plan makes on its target, and that target.
pub fn branch_update(plan: &BranchPlan) -> (Side, Update) {
    let side = plan.action.target().expect("a push has a target");
    let update = Update {
        target: RefName::Branch(plan.name.clone()),
        expected: plan.tips.on(side),
        new: plan.tips.on(side.other()).expect("a push has a source tip"),
    };
    (side, update)
}

/// Returns the update that creates a tag on its target: the source's object (the tag object
/// itself for an annotated tag), expecting the tag absent.
pub fn tag_update(plan: &TagPlan) -> (Side, Update) {
    let to = plan.action.target().expect("a pushed tag has a target");
    let tip = plan.tip_on(to.other()).expect("a tag to create is on the other side");
    (to, Update { target: RefName::Tag(plan.name.clone()), expected: None, new: tip.object })
}

/// Pushes every update to its side, one atomic push per remote (both at once), and returns
/// each ref's result.
pub fn push_all(
    git: &Git,
    cache: &Cache,
    ws: &Workspace,
    updates: Vec<(Side, Update)>,
) -> BTreeMap<RefName, PushResult> {
    let (to_gitlab, to_fusion): (Vec<_>, Vec<_>) =
        updates.into_iter().partition(|(side, _)| *side == Side::Gitlab);
    let strip = |v: Vec<(Side, Update)>| v.into_iter().map(|(_, u)| u).collect::<Vec<_>>();
    let (to_gitlab, to_fusion) = (strip(to_gitlab), strip(to_fusion));
    // The cache's libgit2 handle stays on this thread; the pushes only need its path.
    let git_dir = cache.path();
    let push = |url, updates: &[Update]| {
        (!updates.is_empty()).then(|| remote::push(git, git_dir, url, updates))
    };
    let (gitlab, fusion) = std::thread::scope(|scope| {
        let fusion = scope.spawn(|| push(&ws.fusion_remote, &to_fusion));
        let gitlab = push(&ws.gitlab_remote, &to_gitlab);
        (gitlab, fusion.join().expect("push thread does not panic"))
    });
    let mut results = BTreeMap::new();
    for (side, updates, outcome) in
        [(Side::Gitlab, to_gitlab, gitlab), (Side::Fusion, to_fusion, fusion)]
    {
        if let Some(outcome) = outcome {
            classify(side, &updates, outcome, &mut results);
        }
    }
    results
}

fn classify(
    side: Side,
    updates: &[Update],
    outcome: Result<PushOutcome, GitError>,
    results: &mut BTreeMap<RefName, PushResult>,
) {
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(e) => {
            for u in updates {
                results
                    .insert(u.target.clone(), PushResult::Error { side, message: e.to_string() });
            }
            return;
        }
    };
    let said = outcome.remote_messages.join(" / ");
    for u in updates {
        let dst = u.target.full();
        let result = outcome.refs.iter().find(|r| r.dst == dst).map(|r| &r.result);
        let result = match result {
            Some(RefResult::Updated) => PushResult::Done { push_id: outcome.push_id },
            // Up to date means another writer got there first (git checks that before the
            // lease): the branch is in sync (docs/operations.md).
            Some(RefResult::UpToDate) => PushResult::AlreadyThere,
            Some(RefResult::Stale | RefResult::Collateral) => PushResult::LostRace,
            Some(RefResult::Refused(why)) if said.is_empty() => PushResult::Refused(why.clone()),
            Some(RefResult::Refused(why)) => {
                PushResult::Refused(format!("{why}; the remote said: {said}"))
            }
            None => {
                PushResult::Error { side, message: format!("git push reported nothing for {dst}") }
            }
        };
        results.insert(u.target.clone(), result);
    }
}
