//! Settling a branch once its push is decided or made (docs/architecture.md): bases move only when a
//! push took and, for Git Fusion, was confirmed; failures and pending pushes are remembered.
//!
//! Must not plan or push.

use super::execute::PushResult;
use super::{Run, SyncError, MAX_ATTEMPTS};
use crate::cache::CacheError;
use crate::fusion::confirm::Status;
use crate::git::Git;
use crate::outcome::Planned;
use crate::outcome::{BranchPlan, BranchResult, Outcome, SkipCause};
use crate::perforce::confirm::{push_status, Patience};
use crate::plan::{Action, Side};
use crate::refname::BranchName;
use crate::state::predictions::{self, Prediction};
use crate::state::pushes::{PushState, RememberedPush};

impl Run<'_> {
    /// Returns the result of a plan that writes nothing to the remotes.
    pub(super) fn settle_without_push(&self, plan: BranchPlan) -> Result<BranchResult, CacheError> {
        // Blocked comes first: a remembered failure may block a branch both sides show equal,
        // and its base must not move.
        let (outcome, skip) = match plan.action {
            action if action.needs_attention() || plan.blocked() => {
                (Outcome::Skipped, Some(SkipCause::Attention))
            }
            Action::InSync => {
                let tip = plan.tips.gitlab.expect("a listed branch in sync has a tip");
                if plan.tips.base != Some(tip) && !self.opts.dry_run {
                    self.cache.set_base(&plan.name, tip)?;
                }
                (Outcome::Done, None)
            }
            _ => (Outcome::Skipped, Some(SkipCause::DryRun)),
        };
        Ok(BranchResult { plan, outcome, skip, message: None })
    }

    /// Returns the result of a pushed plan. The base moves only when the push took and,
    /// for Git Fusion, was confirmed; failures and pending pushes are remembered.
    pub(super) fn settle_push(
        &mut self,
        plan: BranchPlan,
        pushed: PushResult,
    ) -> Result<BranchResult, SyncError> {
        let target = plan.action.target().expect("a push has a target");
        let new = plan.tips.on(target.other()).expect("a push has a source tip");
        if matches!(pushed, PushResult::Done { .. } | PushResult::AlreadyThere) {
            // The remote's ref now names a commit whose history the cache holds whole: the
            // next survey finds it tracked and fetches nothing for it. Only a hint, so a
            // failure costs one fetch, never the run.
            if let Err(e) = self.cache.track(target, &plan.name, new) {
                tracing::debug!(branch = %plan.name, "cannot record the pushed tip: {e}");
            }
        }
        let (outcome, skip, message) = match pushed {
            PushResult::Done { push_id } if target == Side::Fusion => {
                self.record_predictions(&plan.name, push_id);
                return self.settle_fusion_push(plan, push_id);
            }
            PushResult::Done { .. } => {
                self.cache.set_base(&plan.name, new)?;
                (Outcome::Done, None, None)
            }
            PushResult::AlreadyThere => return Ok(self.settle_already_there(plan)?),
            PushResult::LostRace => (
                Outcome::Skipped,
                Some(SkipCause::Raced),
                Some(format!("the remote kept moving during {MAX_ATTEMPTS} attempts; the next run plans again")),
            ),
            // Refused, yet the remote holds our target: another writer's push of the same
            // commit won the ref (an interrupted run's push landing late). In sync.
            PushResult::Refused(_) if self.holds(target, &plan, new) => {
                return Ok(self.settle_already_there(plan)?);
            }
            PushResult::Refused(why) => {
                if target == Side::Fusion {
                    // Git Fusion refused outright: a failed confirmation (docs/architecture.md).
                    self.remember(&plan, None, PushState::Failed, why.clone());
                }
                (Outcome::Failed, None, Some(format!("refused: {why}")))
            }
            PushResult::Error { message, .. } => (Outcome::Skipped, Some(SkipCause::NotAttempted), Some(message)),
        };
        Ok(BranchResult { plan, outcome, skip, message })
    }

    /// Settles a branch whose push found the remote already at its target: in sync, base
    /// moved, nothing remembered (docs/operations.md).
    fn settle_already_there(&self, mut plan: BranchPlan) -> Result<BranchResult, CacheError> {
        let target = plan.action.target().expect("a push has a target");
        let new = plan.tips.on(target.other()).expect("a push has a source tip");
        self.cache.set_base(&plan.name, new)?;
        let message = format!(
            "{} already held {}: another writer pushed the same commit",
            target.as_str(),
            new.short()
        );
        plan.action = Action::InSync;
        plan.tips.gitlab = Some(new);
        plan.tips.fusion = Some(new);
        plan.tips.base = Some(new);
        Ok(BranchResult { plan, outcome: Outcome::Done, skip: None, message: Some(message) })
    }

    /// Returns true when `target` lists `plan`'s branch at `new` now (one `ls-remote`, asked
    /// only after a refusal). Not knowing is not holding.
    fn holds(&self, target: Side, plan: &BranchPlan, new: crate::oid::Oid) -> bool {
        let git = Git::new(&self.config.bridge.git);
        crate::git::remote::list_branches(&git, self.ws.remote(target))
            .is_ok_and(|branches| branches.get(&plan.name) == Some(&new))
    }

    /// Appends to `predictions.jsonl` the owner predicted for each commit of the push to
    /// Git Fusion just made on `branch` (docs/audit.md). The push is made: a file that cannot
    /// be written is warned about, never a failure of the run.
    fn record_predictions(&mut self, branch: &BranchName, push_id: Option<u64>) {
        let Some(owners) = self.owners.remove(branch) else { return };
        let time = crate::state::journal::now_rfc3339();
        let lines: Vec<Prediction> = owners
            .into_iter()
            .map(|o| Prediction {
                run: self.run_id.to_string(),
                time: time.clone(),
                branch: branch.clone(),
                commit: o.commit,
                predicted_owner: o.owner,
                via: o.via.to_string(),
                push_id,
            })
            .collect();
        if let Err(e) = predictions::append(&self.dir.predictions(), &lines) {
            tracing::warn!(%branch, "cannot record the predicted owners for `gfbridge audit`: {e}");
        }
    }

    /// Confirms a push Git Fusion accepted (docs/git-fusion.md) and settles the branch by the verdict.
    fn settle_fusion_push(
        &mut self,
        plan: BranchPlan,
        push_id: Option<u64>,
    ) -> Result<BranchResult, SyncError> {
        let new = plan.tips.gitlab.expect("a push to Git Fusion has a GitLab tip");
        let verdict = push_id.and_then(|id| {
            let git = Git::new(&self.config.bridge.git);
            let timeout = self.config.bridge.push_confirm_timeout;
            let patience = Patience { keys: timeout, wait: timeout };
            // The push already happened: if Git Fusion cannot be asked, it is pending (and
            // remembered), never an abort that would lose its journal line.
            let status = push_status(&git, self.ws, id, patience).unwrap_or_else(|e| {
                tracing::warn!(push = id, "cannot confirm Git Fusion push: {e}");
                Some(Status::Unknown)
            });
            status.map(|status| (id, status))
        });
        let (outcome, message) = match verdict {
            Some((id, Status::Succeeded)) => {
                self.cache.set_base(&plan.name, new)?;
                (Outcome::Done, format!("Git Fusion push {id} confirmed"))
            }
            Some((id, Status::Failed(why))) => {
                self.remember(&plan, Some(id), PushState::Failed, why.clone());
                (Outcome::Failed, format!("Git Fusion push {id} failed: {why}"))
            }
            Some((id, Status::Unknown)) => {
                let waited = self.config.bridge.push_confirm_timeout.as_secs();
                let why = format!("not confirmed within {waited}s; the next run checks again");
                self.remember(&plan, Some(id), PushState::Pending, why.clone());
                (Outcome::Pending, format!("Git Fusion push {id} {why}"))
            }
            None => {
                // Nothing to ask: no push id was printed, or no [perforce] section and a remote
                // address that does not end with the repo name (so no @wait URL can be made).
                // Unconfirmed means pending (docs/architecture.md): the base stays where it is.
                let why = "cannot be confirmed: Git Fusion printed no push id, or there is no \
                           [perforce] section and no @wait URL can be made from fusion_remote; \
                           check Perforce, then run `gfbridge sync --retry-failed`";
                self.remember(&plan, push_id, PushState::Pending, why.to_string());
                (Outcome::Pending, why.to_string())
            }
        };
        Ok(BranchResult { plan, outcome, skip: None, message: Some(message) })
    }

    fn remember(
        &mut self,
        plan: &BranchPlan,
        push_id: Option<u64>,
        state: PushState,
        message: String,
    ) {
        let gitlab = plan.tips.gitlab.expect("a push to Git Fusion has a GitLab tip");
        let fusion_before = plan.tips.fusion;
        let push = RememberedPush { gitlab, fusion_before, push_id, state, message, since: None };
        self.remembered.remember(&plan.name, push);
    }
}
