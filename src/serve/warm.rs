//! Git Fusion's facts kept warm between a workspace's runs (docs/operations.md): the run a
//! webhook starts reads Git Fusion's config, users and protections again only when they may
//! have changed. Kept at most [`MAX_AGE`]; dropped at once when a file they were read from
//! changes, or when Perforce's trigger says something was submitted.
//!
//! Must not read the facts: a run reads them on first need and leaves them in its slot.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use crate::config::Workspace;
use crate::perforce::facts;
use crate::sync::FactsSlot;

/// How long facts are kept: p4 users and protections change without a submit, so no trigger
/// tells of them; a run after this long reads everything again.
pub const MAX_AGE: Duration = Duration::from_secs(60);

/// The facts kept per workspace.
#[derive(Default)]
pub struct WarmFacts {
    kept: Mutex<HashMap<String, Kept>>,
}

/// One workspace's slot, since when it is kept, and the files' modification times then.
struct Kept {
    slot: FactsSlot,
    since: Instant,
    stamps: Vec<Option<SystemTime>>,
}

/// Returns true when facts kept for `age`, read while the files had `then` as modification
/// times, may still be used now that they have `now`.
pub fn still_fresh(age: Duration, then: &[Option<SystemTime>], now: &[Option<SystemTime>]) -> bool {
    age < MAX_AGE && then == now
}

impl WarmFacts {
    /// Returns the slot a run of `ws` takes its facts from and leaves them in, emptied first
    /// when what it holds may be out of date; `None` for a workspace without Git Fusion's
    /// settings.
    pub fn slot(&self, ws: &Workspace) -> Option<FactsSlot> {
        let perforce = ws.perforce.as_ref()?;
        // Read before the run reads the files: a change in between only makes the next run
        // read them again.
        let stamps: Vec<Option<SystemTime>> = facts::files(perforce, ws)
            .into_iter()
            .map(|file| std::fs::metadata(file).and_then(|m| m.modified()).ok())
            .collect();
        let mut kept = self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let fresh = |k: &Kept| still_fresh(k.since.elapsed(), &k.stamps, &stamps);
        match kept.get(&ws.name) {
            Some(k) if fresh(k) => Some(Arc::clone(&k.slot)),
            _ => {
                let slot = FactsSlot::default();
                let entry = Kept { slot: Arc::clone(&slot), since: Instant::now(), stamps };
                kept.insert(ws.name.clone(), entry);
                Some(slot)
            }
        }
    }

    /// Forgets what is kept for `workspace`: Perforce's trigger says something was submitted
    /// (a `p4gf_config` or the usermap may have changed).
    pub fn forget(&self, workspace: &str) {
        self.kept.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).remove(workspace);
    }
}
