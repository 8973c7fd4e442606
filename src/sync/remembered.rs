//! Remembered pushes to Git Fusion during a run (SPEC §1.2): failed ones block the branch
//! (`fusion_rejected`) until a tip changes or `--retry-failed`; pending ones are re-checked
//! once at the start of the run and block (`fusion_pending`) while still unconfirmed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::config::Config;
use crate::fusion::confirm::{confirm, Status};
use crate::fusion::p4::P4;
use crate::outcome::{BranchPlan, Reason};
use crate::state::pushes::{self, PushState, RememberedPush};

use super::SyncError;

/// The remembered pushes of one workspace, loaded at the start of a run.
pub struct Remembered {
    path: PathBuf,
    pushes: BTreeMap<String, RememberedPush>,
    changed: bool,
}

impl Remembered {
    /// Returns the remembered pushes at `path`; `retry_failed` forgets the failed ones.
    pub fn load(path: PathBuf, retry_failed: bool) -> Result<Remembered, SyncError> {
        let mut pushes = pushes::load(&path).map_err(|e| SyncError::State(e.to_string()))?;
        let before = pushes.len();
        if retry_failed {
            pushes.retain(|_, p| p.state != PushState::Failed);
        }
        let changed = pushes.len() != before;
        Ok(Remembered { path, pushes, changed })
    }

    /// Asks Git Fusion once about each pending push: confirmed ones are forgotten, failed
    /// ones become failures. Runs no `p4` when nothing is pending.
    pub fn recheck_pending(&mut self, config: &Config, repo: &str) -> Result<(), SyncError> {
        let Some(settings) = &config.perforce else { return Ok(()) };
        let p4 = P4::new(settings);
        let pending: Vec<(String, u64)> = self
            .pushes
            .iter()
            .filter(|(_, p)| p.state == PushState::Pending)
            .filter_map(|(branch, p)| p.push_id.map(|id| (branch.clone(), id)))
            .collect();
        for (branch, id) in pending {
            let status = confirm(&p4, repo, id, std::time::Duration::ZERO)
                .map_err(|e| SyncError::State(e.to_string()))?;
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
                "fusion_rejected",
                format!(
                    "Git Fusion push {id} of {} failed: {}; not retried for the same tips (run `gfbridge sync --retry-failed` once fixed)",
                    push.gitlab.short(),
                    push.message
                ),
            ),
            PushState::Pending => (
                "fusion_pending",
                format!("Git Fusion push {id} of {} is still not confirmed", push.gitlab.short()),
            ),
        };
        Some(Reason { code, commit: None, message, blocks: true })
    }

    /// Remembers a failed or pending push of `branch`.
    pub fn remember(&mut self, branch: &str, push: RememberedPush) {
        self.pushes.insert(branch.to_string(), push);
        self.changed = true;
    }

    /// Writes the remembered pushes if the run changed them.
    pub fn save(&self) -> Result<(), SyncError> {
        if !self.changed {
            return Ok(());
        }
        pushes::save(&self.path, &self.pushes).map_err(|e| SyncError::State(e.to_string()))
    }
}
