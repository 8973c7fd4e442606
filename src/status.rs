//! `gfbridge status` (docs/output.md): how the last runs of each workspace went, read from local
//! state alone — the run record, remembered pushes, the cache and the lock.
//!
//! Must not start `git`, `p4` or any network call, and must not create or change a file.

use std::fs::{OpenOptions, TryLockError};

use crate::config::{Config, Workspace};
use crate::exit::Exit;
use crate::state::pushes::{self, PushState};
use crate::state::retired::{self, Retired};
use crate::state::runs::{self, RunRecord};
use crate::state::WorkspaceDir;

/// A ref that needed a person in the last run, and since when it has.
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
pub struct Attention {
    /// The branch (or tag).
    #[serde(rename = "ref")]
    pub ref_name: String,
    /// What it needed attention for (`diverged`, `blocked`, `failed`, ...).
    pub action: String,
    /// The time of the first run, in the unbroken line of runs up to the last, that reported it.
    pub since: String,
}

/// A remembered push to Git Fusion.
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
pub struct Push {
    /// The branch.
    #[serde(rename = "ref")]
    pub ref_name: String,
    /// Git Fusion's push number.
    pub push_id: Option<u64>,
    /// `pending` or `failed`.
    pub state: PushState,
    /// When it was first remembered.
    pub since: Option<String>,
    /// Git Fusion's message.
    pub message: String,
}

/// One workspace's status.
#[derive(Clone, Debug)]
pub struct WorkspaceStatus {
    /// The workspace.
    pub name: String,
    /// The last finished run.
    pub last_run: Option<RunRecord>,
    /// When the last run without an operational failure ended.
    pub last_success: Option<String>,
    /// Refs that needed a person in the last run.
    pub attention: Vec<Attention>,
    /// Remembered failed and pending pushes.
    pub pushes: Vec<Push>,
    /// Whether a run holds the workspace's lock now.
    pub running: bool,
    /// Whether the bases (the cache) exist.
    pub state_present: bool,
    /// A local file that could not be read, if any.
    pub error: Option<String>,
    /// When a cutover retired the workspace, and its record.
    pub retired: Option<Retired>,
}

impl WorkspaceStatus {
    /// Returns the exit code docs/output.md gives this workspace: 3 when the last run needed
    /// attention, a push is remembered as failed, or the state is gone after runs; else 0.
    pub fn exit(&self) -> Exit {
        if self.error.is_some() {
            return Exit::Failure;
        }
        let attention =
            self.last_run.as_ref().is_some_and(|r| r.exit_code == 3) || !self.attention.is_empty();
        let failed = self.pushes.iter().any(|p| p.state == PushState::Failed);
        let lost = !self.state_present && self.last_run.is_some();
        if attention || failed || lost {
            Exit::Attention
        } else {
            Exit::Ok
        }
    }
}

/// Returns the status of `ws` from the files under `cache_dir`.
pub fn workspace(config: &Config, ws: &Workspace) -> WorkspaceStatus {
    let dir = WorkspaceDir::new(&config.bridge.cache_dir, &ws.name);
    let mut error = None;
    let history = runs::load(&dir.runs()).unwrap_or_else(|e| {
        error = Some(format!("{}: {e}", dir.runs().display()));
        Vec::new()
    });
    let remembered = pushes::load(&dir.pushes()).unwrap_or_else(|e| {
        error = Some(e.to_string());
        Default::default()
    });
    let retired = retired::read(&dir.retired()).unwrap_or_else(|e| {
        error = Some(e.to_string());
        None
    });
    let pushes = remembered
        .into_iter()
        .map(|(ref_name, p)| Push {
            ref_name: ref_name.to_string(),
            push_id: p.push_id,
            state: p.state,
            since: p.since,
            message: p.message,
        })
        .collect();
    WorkspaceStatus {
        name: ws.name.clone(),
        last_success: history.iter().rev().find(|r| r.succeeded()).map(|r| r.time.clone()),
        attention: attention_since(&history),
        last_run: history.last().cloned(),
        pushes,
        running: lock_held(&dir),
        state_present: dir.cache().is_dir(),
        error,
        retired,
    }
}

/// Returns the refs the last run reported, each with the time of the earliest run of the
/// unbroken line of runs, ending with the last, that reported it with the same action.
fn attention_since(history: &[RunRecord]) -> Vec<Attention> {
    let Some(last) = history.last() else { return Vec::new() };
    last.attention
        .iter()
        .map(|a| {
            let since = history
                .iter()
                .rev()
                .take_while(|r| r.attention.contains(a))
                .last()
                .map_or_else(|| last.time.clone(), |r| r.time.clone());
            Attention { ref_name: a.ref_name.clone(), action: a.action.clone(), since }
        })
        .collect()
}

/// Returns whether another process holds the workspace's lock; creates nothing.
fn lock_held(dir: &WorkspaceDir) -> bool {
    let Ok(file) = OpenOptions::new().read(true).open(dir.lock()) else { return false };
    matches!(file.try_lock(), Err(TryLockError::WouldBlock))
}
