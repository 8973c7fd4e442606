//! What `GET /healthz` promises (docs/operations.md): the service is healthy while every workspace keeps
//! completing runs. A worker that panics, or a run that hangs, must not leave a green check
//! behind while nothing syncs.
//!
//! `judge` is the pure rule; `Health` records completions. Must not run or queue anything.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many poll intervals may pass without a completed run before the service is unhealthy.
pub const STALE_INTERVALS: u32 = 3;

/// Extra time allowed on top, for a long run (a first sync, a slow Git Fusion confirmation).
pub const GRACE: Duration = Duration::from_secs(600);

/// One workspace as the rule sees it.
#[derive(Clone, Debug)]
pub struct Seen<'a> {
    /// The workspace.
    pub name: &'a str,
    /// Its poll interval.
    pub interval: Duration,
    /// When its last run completed (`None`: none yet).
    pub completed: Option<Instant>,
}

/// Returns `Ok` when every workspace completed a run within `STALE_INTERVALS` intervals plus
/// `GRACE` (counted from `started` for a workspace that has not completed one yet), else why not.
pub fn judge(now: Instant, started: Instant, workspaces: &[Seen<'_>]) -> Result<(), String> {
    let stale: Vec<String> = workspaces
        .iter()
        .filter_map(|w| {
            let since = w.completed.unwrap_or(started);
            let limit = w.interval.saturating_mul(STALE_INTERVALS).saturating_add(GRACE);
            let idle = now.saturating_duration_since(since);
            (idle > limit).then(|| format!("{}: no run completed for {}s", w.name, idle.as_secs()))
        })
        .collect();
    if stale.is_empty() {
        Ok(())
    } else {
        Err(stale.join("; "))
    }
}

/// When each workspace last completed a run, since the service started.
#[derive(Debug)]
pub struct Health {
    started: Instant,
    completed: Mutex<HashMap<String, Instant>>,
}

impl Default for Health {
    fn default() -> Self {
        Health { started: Instant::now(), completed: Mutex::default() }
    }
}

impl Health {
    /// Records that a run of `workspace` completed (whatever its exit code).
    pub fn completed(&self, workspace: &str) {
        let mut map = self.completed.lock().unwrap_or_else(|p| p.into_inner());
        map.insert(workspace.to_string(), Instant::now());
    }

    /// Returns the verdict for `workspaces` (name, interval) now.
    pub fn verdict(&self, workspaces: &[(&str, Duration)]) -> Result<(), String> {
        let map = self.completed.lock().unwrap_or_else(|p| p.into_inner());
        let seen: Vec<Seen<'_>> = workspaces
            .iter()
            .map(|(name, interval)| Seen {
                name,
                interval: *interval,
                completed: map.get(*name).copied(),
            })
            .collect();
        judge(Instant::now(), self.started, &seen)
    }
}
