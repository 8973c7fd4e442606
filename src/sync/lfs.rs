//! The LFS step of a run (docs/lfs.md): which objects a push's commits point at, what the
//! servers say of them (before deciding: `lfs_missing_content` blocks, the counts go in the
//! plan), and copying them before the git push (after deciding: a failure is the branch's
//! `failed` outcome, `lfs_transfer_failed`, and nothing is pushed for it).
//!
//! Must not push git objects; the rules on pointers going to Git Fusion are
//! `fusion::lfs`, the protocol is `lfs`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::analyse::push_range;
use super::survey::Survey;
use super::{Run, SyncError};
use crate::config::Workspace;
use crate::git::Git;
use crate::lfs::batch::{Client, Meter};
use crate::lfs::store::Store;
use crate::lfs::transfer::{self, Needed};
use crate::lfs::LfsMode;
use crate::outcome::{BranchPlan, BranchResult, LfsCopy, Outcome, Reason};
use crate::plan::Side;
use crate::progress::Progress;
use crate::reason::Code;

/// The LFS clients of one run, made on first need: `Err` holds why a side has none.
#[derive(Default)]
pub(super) struct LfsClients {
    gitlab: Option<Result<Client, String>>,
    fusion: Option<Result<Client, String>>,
}

impl LfsClients {
    /// Makes both sides' clients, once per run.
    fn prepare(&mut self, ws: &Workspace) {
        for side in [Side::Gitlab, Side::Fusion] {
            let slot = match side {
                Side::Gitlab => &mut self.gitlab,
                Side::Fusion => &mut self.fusion,
            };
            slot.get_or_insert_with(|| {
                let key = match side {
                    Side::Gitlab => "gitlab_lfs_url",
                    Side::Fusion => "fusion_lfs_url",
                };
                let endpoint = crate::lfs::endpoint(ws, side).ok_or_else(|| {
                    format!(
                        "no LFS endpoint for {}: its remote is not http(s); set {key}",
                        side.as_str()
                    )
                })?;
                Client::new(&endpoint).map_err(|e| e.to_string())
            });
        }
    }

    /// Returns `side`'s client (after `prepare`), or why there is none.
    fn side(&self, side: Side) -> Result<&Client, String> {
        let slot = match side {
            Side::Gitlab => &self.gitlab,
            Side::Fusion => &self.fusion,
        };
        match slot {
            Some(Ok(client)) => Ok(client),
            Some(Err(why)) => Err(why.clone()),
            None => Err("LFS clients were not prepared".into()),
        }
    }
}

impl Run<'_> {
    /// Lists `plan`'s commits and returns the objects the specification's pointers in them
    /// name: what GitLab checks before it takes a push (one `git log --raw` pass over the
    /// push's range, like the preflight). With `lfs = "off"`, or no LFS endpoint on the
    /// destination (nothing could be copied there; check `lfs` says so when the branches hold
    /// LFS content), the pass is not made and `None` is returned.
    pub(super) fn lfs_needed_spec(
        &self,
        git: &Git,
        plan: &mut BranchPlan,
        survey: &Survey,
    ) -> Result<Option<Vec<Needed>>, SyncError> {
        let target = plan.action.target().expect("only pushes need LFS objects");
        if self.ws.lfs == LfsMode::Off || crate::lfs::endpoint(self.ws, target).is_none() {
            return Ok(None);
        }
        let (repo, dir) = (self.cache.repo(), Some(self.cache.path()));
        let range = push_range(survey, plan);
        let (commits, needed) = crate::lfs::scan::spec_pointers(git, dir, repo, &range)?;
        plan.commits = commits;
        Ok(Some(needed))
    }

    /// Asks the servers about `needed` for `plan`'s push: adds `lfs_missing_content` for
    /// objects no server holds, and records what the push would copy.
    pub(super) fn lfs_plan(&mut self, plan: &mut BranchPlan, needed: Vec<Needed>) {
        if needed.is_empty() || self.ws.lfs == LfsMode::Off {
            return;
        }
        let target = plan.action.target().expect("only pushes need LFS objects");
        let store = Store::of_cache(self.cache.path());
        self.lfs_clients.prepare(self.ws);
        let clients = &self.lfs_clients;
        let (source, dest) = (clients.side(target.other()).ok(), clients.side(target).ok());
        let estimate = transfer::estimate(&needed, source, dest, &store);
        if let Some(why) = &estimate.unanswered {
            tracing::warn!(branch = %plan.name, "LFS: {why}");
        }
        for missing in &estimate.missing {
            let message = format!(
                "`{}` points at LFS object {} ({} bytes), which neither side's LFS server nor the cache holds (Git Fusion: `Push of Git LFS text pointer missing content`; GitLab: `LFS objects are missing`)",
                missing.path, missing.pointer.oid, missing.pointer.size
            );
            let mut r = Reason::new(Code::LfsMissingContent, Some(missing.commit), message, true);
            r.path = Some(missing.path.clone());
            plan.reasons.push(r);
        }
        plan.lfs = Some(LfsCopy { objects: estimate.lacking, estimated: estimate.estimated });
    }

    /// Copies the LFS objects of `plan` to its target before its push. Returns the plan when
    /// the push may go ahead, or the branch's failed result (nothing pushed for it).
    pub(super) fn lfs_copy(
        &mut self,
        plan: BranchPlan,
        progress: &Progress,
    ) -> Result<BranchPlan, Box<BranchResult>> {
        let Some(copy) = plan.lfs.as_ref().filter(|c| !c.objects.is_empty()) else {
            return Ok(plan);
        };
        let target = plan.action.target().expect("only pushes copy LFS objects");
        let objects = copy.objects.clone();
        let total = copy.bytes();
        let step = Arc::new(progress.step(
            format!(
                "{}: copying {} LFS object(s) for {} to {}",
                self.ws.name,
                objects.len(),
                plan.name,
                target.as_str()
            ),
            "bytes",
        ));
        let moved = Arc::new(AtomicU64::new(0));
        let meter: Meter = {
            let (step, moved) = (Arc::clone(&step), Arc::clone(&moved));
            // Each object is counted twice (down, then up) when it is not kept already.
            Arc::new(move |n| step.set(moved.fetch_add(n, Ordering::Relaxed) + n, Some(total)))
        };
        let store = Store::of_cache(self.cache.path());
        self.lfs_clients.prepare(self.ws);
        let clients = &self.lfs_clients;
        let source = clients.side(target.other()).ok();
        let copied = match clients.side(target) {
            Ok(dest) => {
                transfer::copy(&objects, source, dest, &store, &meter).map_err(|e| e.to_string())
            }
            Err(why) => Err(why),
        };
        match copied {
            Ok(sent) => {
                tracing::info!(branch = %plan.name, objects = sent, bytes = total, side = target.as_str(), "LFS objects copied");
                Ok(plan)
            }
            Err(why) => {
                let mut plan = plan;
                let message = format!("LFS objects could not be copied to {}: {why}; nothing was pushed for this branch", target.as_str());
                plan.reasons.push(Reason::new(
                    Code::LfsTransferFailed,
                    None,
                    message.clone(),
                    false,
                ));
                Err(Box::new(BranchResult {
                    plan,
                    outcome: Outcome::Failed,
                    skip: None,
                    message: Some(message),
                }))
            }
        }
    }
}
