//! Which workspace runs next (docs/operations.md): one run per workspace at a time, a request that arrives
//! while a run is queued or in progress coalesces into exactly one follow-up run, and no more
//! than the worker count run at once (workers call [`Scheduler::next`]).
//!
//! Must not run syncs, read the clock for polling, or know about HTTP.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

use crate::oid::Oid;
use crate::refname::BranchName;
use crate::sync::Announced;

/// What a request did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requested {
    /// A new run was queued.
    Queued,
    /// A run was already queued; this request joins it.
    Coalesced,
    /// The service is stopping and starts no more runs.
    Stopping,
    /// No such workspace.
    Unknown,
}

/// The run queue shared by the HTTP handlers, the poller and the workers.
#[derive(Debug, Default)]
pub struct Scheduler {
    state: Mutex<State>,
    wake: Condvar,
}

#[derive(Debug, Default)]
struct State {
    slots: BTreeMap<String, Slot>,
    ready: VecDeque<String>,
    stopping: bool,
}

#[derive(Debug, Default)]
struct Slot {
    running: bool,
    queued: bool,
    /// Each announced branch with the tip its latest announcement named.
    announced: BTreeMap<BranchName, Option<Oid>>,
}

/// A run to make now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    /// The workspace.
    pub workspace: String,
    /// Branches webhooks announced since the last run started (to prefetch), each with the
    /// tip its latest announcement named.
    pub announced: Vec<Announced>,
}

/// How many runs are in progress and waiting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Load {
    /// Runs in progress.
    pub running: usize,
    /// Runs queued (at most one per workspace).
    pub queued: usize,
}

impl Scheduler {
    /// Returns a scheduler for these workspaces, with nothing queued.
    pub fn new<'a>(workspaces: impl IntoIterator<Item = &'a str>) -> Scheduler {
        let slots = workspaces.into_iter().map(|w| (w.to_string(), Slot::default())).collect();
        Scheduler { state: Mutex::new(State { slots, ..State::default() }), wake: Condvar::new() }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A worker that panicked mid-update leaves plain flags behind: still consistent.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Asks for a run of `workspace`; `announced` is a branch a webhook announced as moved.
    pub fn request(&self, workspace: &str, announced: Option<&Announced>) -> Requested {
        let mut state = self.lock();
        if state.stopping {
            return Requested::Stopping;
        }
        let Some(slot) = state.slots.get_mut(workspace) else {
            return Requested::Unknown;
        };
        if let Some(a) = announced {
            slot.announced.insert(a.branch.clone(), a.tip);
        }
        if slot.queued {
            return Requested::Coalesced;
        }
        slot.queued = true;
        if !slot.running {
            state.ready.push_back(workspace.to_string());
            self.wake.notify_all();
        }
        Requested::Queued
    }

    /// Returns the next run and marks its workspace running, without waiting.
    pub fn try_next(&self) -> Option<Due> {
        Self::take_ready(&mut self.lock())
    }

    fn take_ready(state: &mut State) -> Option<Due> {
        if state.stopping {
            return None;
        }
        let name = state.ready.pop_front()?;
        let slot = state.slots.get_mut(&name).expect("queued workspaces have slots");
        slot.queued = false;
        slot.running = true;
        let announced = std::mem::take(&mut slot.announced)
            .into_iter()
            .map(|(branch, tip)| Announced { branch, tip })
            .collect();
        Some(Due { workspace: name, announced })
    }

    /// Waits for the next run and marks its workspace running; `None` once stopping.
    pub fn next(&self) -> Option<Due> {
        let mut state = self.lock();
        loop {
            if state.stopping {
                return None;
            }
            if let Some(due) = Self::take_ready(&mut state) {
                return Some(due);
            }
            state = self.wake.wait(state).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
    }

    /// Records that `workspace`'s run ended; a request made meanwhile becomes ready now.
    pub fn finished(&self, workspace: &str) {
        let mut state = self.lock();
        let Some(slot) = state.slots.get_mut(workspace) else { return };
        slot.running = false;
        if slot.queued {
            state.ready.push_back(workspace.to_string());
        }
        self.wake.notify_all();
    }

    /// Starts no more runs; returns the workspaces whose queued run is dropped.
    pub fn stop(&self) -> Vec<String> {
        let mut state = self.lock();
        state.stopping = true;
        self.wake.notify_all();
        let dropped: Vec<String> = state.ready.drain(..).collect();
        for name in &dropped {
            if let Some(slot) = state.slots.get_mut(name) {
                slot.queued = false;
                slot.announced.clear();
            }
        }
        dropped
    }

    /// Returns true once [`Scheduler::stop`] was called.
    pub fn stopping(&self) -> bool {
        self.lock().stopping
    }

    /// Waits up to `limit`, returning early (true) when the service starts stopping.
    pub fn wait_for_stop(&self, limit: Duration) -> bool {
        let state = self.lock();
        let (state, _) = self
            .wake
            .wait_timeout_while(state, limit, |s| !s.stopping)
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.stopping
    }

    /// Returns how many runs are in progress and queued.
    pub fn load(&self) -> Load {
        let state = self.lock();
        Load {
            running: state.slots.values().filter(|s| s.running).count(),
            queued: state.slots.values().filter(|s| s.queued).count(),
        }
    }
}
