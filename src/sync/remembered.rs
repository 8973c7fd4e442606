//! Remembered pushes to Git Fusion during a run (docs/architecture.md): failed ones block the branch
//! (`fusion_rejected`) until a tip changes or `--retry-failed`; pending ones are re-checked
//! once at the start of the run and block (`fusion_pending`) while still unconfirmed.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::config::{Config, Workspace};
use crate::fusion::confirm::{landed, Status};
use crate::git::Git;
use crate::outcome::{BranchPlan, Reason};
use crate::perforce::confirm::{push_status, status_keys, Patience};
use crate::perforce::P4;
use crate::reason::Code;
use crate::refname::BranchName;
use crate::state::journal::now_rfc3339;
use crate::state::pushes::{self, PushState, RememberedPush};

use super::SyncError;

/// How long the start-of-run look at a pending push may wait on Git Fusion's `@wait`.
const RECHECK_WAIT: Duration = Duration::from_secs(10);

/// The remembered pushes of one workspace, loaded at the start of a run.
pub struct Remembered {
    path: PathBuf,
    pushes: BTreeMap<BranchName, RememberedPush>,
    changed: bool,
}

impl Remembered {
    /// Returns the remembered pushes at `path`; `retry_failed` forgets them all, failed and
    /// pending (docs/output.md).
    pub fn load(path: PathBuf, retry_failed: bool) -> Result<Remembered, SyncError> {
        let mut pushes = pushes::load(&path)?;
        let changed = retry_failed && !pushes.is_empty();
        if retry_failed {
            pushes.clear();
        }
        Ok(Remembered { path, pushes, changed })
    }

    /// Asks Git Fusion once about each pending push with a push id: through `p4` keys with a
    /// `[perforce]` section, else through Git Fusion's `@wait` repository. Confirmed ones are
    /// forgotten, failed ones become failures. Asks nothing when nothing is pending.
    pub fn recheck_pending(&mut self, config: &Config, ws: &Workspace) -> Result<(), SyncError> {
        let pending: Vec<(BranchName, u64)> = self
            .pushes
            .iter()
            .filter(|(_, p)| p.state == PushState::Pending)
            .filter_map(|(branch, p)| p.push_id.map(|id| (branch.clone(), id)))
            .collect();
        for (branch, id) in pending {
            let git = Git::new(&config.bridge.git);
            // One look at the keys; @wait blocks while the push runs: a bounded look, not the
            // full timeout.
            let wait = config.bridge.push_confirm_timeout.min(RECHECK_WAIT);
            let patience = Patience { keys: Duration::ZERO, wait };
            let status = push_status(&git, ws, id, patience)
                .map_err(SyncError::Recheck)?
                .unwrap_or(Status::Unknown);
            match status {
                Status::Succeeded => {
                    self.pushes.remove(&branch);
                    self.changed = true;
                }
                Status::Failed(message) => {
                    let push = self.pushes.get_mut(&branch).expect("collected from the map");
                    push.state = PushState::Failed;
                    push.message = message;
                    self.changed = true;
                }
                Status::Unknown => {}
            }
        }
        Ok(())
    }

    /// Forgets the remembered push of `plan`'s branch when Git Fusion's branch now holds its
    /// target and Git Fusion's status keys say the push completed (docs/operations.md), and returns
    /// what to report, once. Needs `[perforce]` to read the keys; asks only when a remembered
    /// push's target is on Git Fusion.
    pub fn confirm_landed(&mut self, plan: &BranchPlan, ws: &Workspace) -> Option<String> {
        let push = self.pushes.get(&plan.name)?;
        let at_target =
            plan.tips.gitlab == Some(push.gitlab) && plan.tips.fusion == Some(push.gitlab);
        let settings = ws.perforce.as_ref().filter(|_| at_target)?;
        let keys = match status_keys(&P4::new(settings), &ws.fusion_repo) {
            Ok(keys) => keys,
            Err(e) => {
                tracing::warn!(branch = %plan.name, "cannot read Git Fusion's status keys: {e}");
                return None;
            }
        };
        if !landed(&keys, &ws.fusion_repo, push.push_id) {
            return None;
        }
        let id = push.push_id.map_or_else(|| "?".to_string(), |n| n.to_string());
        let message = format!(
            "remembered Git Fusion push {id} of {} confirmed: Git Fusion holds it and its last push completed",
            push.gitlab.short()
        );
        self.pushes.remove(&plan.name);
        self.changed = true;
        Some(message)
    }

    /// Returns the reason that blocks `plan`, if a remembered push still applies to its
    /// tips; a push whose tips have moved on is forgotten.
    pub fn reason_for(&mut self, plan: &BranchPlan) -> Option<Reason> {
        let push = self.pushes.get(&plan.name)?;
        if !push.still_applies(plan.tips.gitlab, plan.tips.fusion) {
            self.pushes.remove(&plan.name);
            self.changed = true;
            return None;
        }
        let id = push.push_id.map_or_else(|| "?".to_string(), |n| n.to_string());
        let (code, message) = match push.state {
            PushState::Failed => (
                Code::FusionRejected,
                format!(
                    "Git Fusion push {id} of {} failed: {}; not retried for the same tips (run `gfbridge sync --retry-failed` once fixed)",
                    push.gitlab.short(),
                    push.message
                ),
            ),
            PushState::Pending => (
                Code::FusionPending,
                format!("Git Fusion push {id} of {} is still not confirmed", push.gitlab.short()),
            ),
        };
        Some(Reason::new(code, None, message, true))
    }

    /// Remembers a failed or pending push of `branch`, keeping when it was first remembered
    /// if the same push was remembered before.
    pub fn remember(&mut self, branch: &BranchName, mut push: RememberedPush) {
        let earlier = self.pushes.get(branch).filter(|p| p.gitlab == push.gitlab);
        push.since = earlier.and_then(|p| p.since.clone()).or_else(|| Some(now_rfc3339()));
        self.pushes.insert(branch.clone(), push);
        self.changed = true;
    }

    /// Writes the remembered pushes if the run changed them.
    pub fn save(&self) -> Result<(), SyncError> {
        if !self.changed {
            return Ok(());
        }
        Ok(pushes::save(&self.path, &self.pushes)?)
    }
}
