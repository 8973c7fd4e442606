//! Carrying out the planned pushes: one atomic, compare-and-swap push per remote, both remotes
//! at once, and the classification of each ref's result (SPEC §1.2).
//!
//! Must not plan: it receives plans and reports per-branch results.

use std::collections::BTreeMap;

use crate::cache::Cache;
use crate::config::Workspace;
use crate::git::porcelain::RefResult;
use crate::git::remote::{self, PushOutcome, Update};
use crate::git::{Git, GitError};
use crate::outcome::BranchPlan;
use crate::plan::Side;
use crate::refname::BranchName;

/// What became of one branch's push.
#[derive(Clone, Debug)]
pub enum PushResult {
    /// The remote now has the new tip.
    Done { push_id: Option<u64> },
    /// The remote moved since planning (or another ref's lease failed): plan again.
    LostRace,
    /// The remote refused; its reason and messages.
    Refused(String),
    /// git could not push to `side` at all.
    Error { side: Side, message: String },
}

/// Pushes every plan in `plans` to its target, one atomic push per remote, and returns each
/// branch's result by name.
pub fn push_all(
    git: &Git,
    cache: &Cache,
    ws: &Workspace,
    plans: &[&BranchPlan],
) -> BTreeMap<BranchName, PushResult> {
    let updates = |side: Side| -> Vec<Update> {
        plans
            .iter()
            .filter(|p| p.action.target() == Some(side))
            .map(|p| Update {
                branch: p.name.clone(),
                expected: p.tips.on(side),
                new: p.tips.on(side.other()).expect("a push has a source tip"),
            })
            .collect()
    };
    let (to_gitlab, to_fusion) = (updates(Side::Gitlab), updates(Side::Fusion));
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
    results: &mut BTreeMap<BranchName, PushResult>,
) {
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(e) => {
            for u in updates {
                results
                    .insert(u.branch.clone(), PushResult::Error { side, message: e.to_string() });
            }
            return;
        }
    };
    let said = outcome.remote_messages.join(" / ");
    for u in updates {
        let dst = format!("refs/heads/{}", u.branch);
        let result = outcome.refs.iter().find(|r| r.dst == dst).map(|r| &r.result);
        let result = match result {
            Some(RefResult::Updated) => PushResult::Done { push_id: outcome.push_id },
            // Up to date means another writer got there first (git checks that before the
            // lease): nothing of ours to confirm, so plan again from what the remote shows.
            Some(RefResult::Stale | RefResult::Collateral | RefResult::UpToDate) => {
                PushResult::LostRace
            }
            Some(RefResult::Refused(why)) if said.is_empty() => PushResult::Refused(why.clone()),
            Some(RefResult::Refused(why)) => {
                PushResult::Refused(format!("{why}; the remote said: {said}"))
            }
            None => {
                PushResult::Error { side, message: format!("git push reported nothing for {dst}") }
            }
        };
        results.insert(u.branch.clone(), result);
    }
}
