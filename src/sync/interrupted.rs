//! Runs that stop halfway (docs/operations.md): a push's intent is on disk and in the journal before
//! its `git push` starts, and a later run finishes the record of a run that was killed.
//!
//! - [`begin`] writes `pushing.json` and the journal's `started` lines, and returns the
//!   callback that adds each push process to the file as it starts;
//! - [`recover`], at the start of a run holding the lock, waits for the push processes an
//!   interrupted run left running (never racing them), then journals each of its pushes as
//!   `done` (the remote holds the target) or `lost`.
//!
//! Must not plan or push.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::{record, SyncError};
use crate::config::Workspace;
use crate::git::remote::{self, Refs, Update};
use crate::git::runner::OnSpawn;
use crate::git::Git;
use crate::oid::Oid;
use crate::plan::Side;
use crate::progress::Progress;
use crate::refname::{HEADS, TAGS};
use crate::state::inflight::{self, InFlight, PushProcess, StartedUpdate};
use crate::state::journal;
use crate::state::WorkspaceDir;

/// Records that `updates` are about to be pushed: `pushing.json`, then the journal's
/// `started` lines. Returns the callback that adds each push process to the file.
pub fn begin(
    dir: &WorkspaceDir,
    run_id: &str,
    workspace: &str,
    updates: &[(Side, Update)],
) -> Result<OnSpawn, SyncError> {
    let started = updates
        .iter()
        .map(|(side, u)| StartedUpdate {
            ref_name: u.target.full(),
            remote: *side,
            old: u.expected,
            new: u.new,
        })
        .collect();
    let path = dir.inflight();
    let inflight = InFlight { run: run_id.to_string(), updates: started, processes: Vec::new() };
    inflight::save(&path, &inflight)?;
    journal::append(&dir.journal(), &record::started(run_id, workspace, updates))?;
    let state = Arc::new(Mutex::new(inflight));
    Ok(Arc::new(move |pid| {
        let mut inflight = state.lock().unwrap_or_else(|e| e.into_inner());
        inflight.processes.push(PushProcess::of(pid));
        if let Err(e) = inflight::save(&path, &inflight) {
            // The push goes on; only a run killed during it would then not wait for it.
            tracing::warn!("cannot record the push process {pid}: {e}");
        }
    }))
}

/// Finishes what an interrupted run left in `pushing.json`: waits up to `wait` for its push
/// processes, then (unless `dry_run`, which writes nothing) journals what became of each of
/// its pushes and removes the file.
pub fn recover(
    git: &Git,
    ws: &Workspace,
    dir: &WorkspaceDir,
    wait: Duration,
    dry_run: bool,
    progress: &Progress,
) -> Result<(), SyncError> {
    let path = dir.inflight();
    let Some(left) = inflight::load(&path)? else { return Ok(()) };
    inflight::await_processes(&left, wait, |pid| {
        tracing::info!(workspace = %ws.name, pid, "waiting for the push of an interrupted run");
        progress.say(&format!(
            "{}: waiting for the git push (pid {pid}) of an interrupted run to finish",
            ws.name
        ));
    })?;
    if dry_run {
        return Ok(());
    }
    let mut listed: Vec<(Side, Refs)> = Vec::new();
    for side in [Side::Gitlab, Side::Fusion] {
        if !left.updates.iter().any(|u| u.remote == side) {
            continue;
        }
        let url = ws.remote(side);
        let tags = left.updates.iter().any(|u| u.ref_name.starts_with(TAGS));
        let refs = remote::list_refs(git, url, tags)
            .map_err(|source| SyncError::Remote { side, source })?;
        listed.push((side, refs));
    }
    let held = |u: &StartedUpdate| -> Option<Oid> {
        let (_, refs) = listed.iter().find(|(side, _)| *side == u.remote)?;
        if let Some(branch) = u.ref_name.strip_prefix(HEADS) {
            return refs.branches.iter().find(|(b, _)| b.as_str() == branch).map(|(_, o)| *o);
        }
        let tag = u.ref_name.strip_prefix(TAGS)?;
        refs.tags.iter().find(|(t, _)| t.as_str() == tag).map(|(_, t)| t.object)
    };
    let entries = record::interrupted(&ws.name, &left, held);
    journal::append(&dir.journal(), &entries)?;
    inflight::clear(&path)?;
    Ok(())
}
