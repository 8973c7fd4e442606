//! Pushes under way (`cache_dir/<workspace>/pushing.json`): written before a run starts its
//! `git push`es, completed with each push process as it starts, and removed once every
//! result is journalled.
//!
//! A run killed halfway (kill -9, a crash, a second Ctrl-C) leaves the file behind. The next
//! run, holding the lock, waits for any of its push processes still running — so it never
//! races an orphaned push — and then records in the journal what became of each push
//! (`done` when the remote holds its target, else `lost`). Must not decide what to push.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::oid::Oid;
use crate::plan::Side;

/// One ref update a run started.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StartedUpdate {
    /// The full ref name (`refs/heads/main`, `refs/tags/v1`).
    #[serde(rename = "ref")]
    pub ref_name: String,
    /// The remote written.
    pub remote: Side,
    /// What the remote held before (absent for a new ref).
    pub old: Option<Oid>,
    /// What the push writes.
    pub new: Oid,
}

/// A push process: its pid and, where the system tells, when it started (so that a reused
/// pid is never mistaken for it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PushProcess {
    /// The process id.
    pub pid: u32,
    /// Its start time in clock ticks since boot (`/proc/<pid>/stat`), when readable.
    pub started: Option<u64>,
}

impl PushProcess {
    /// Returns the record of the running process `pid`.
    pub fn of(pid: u32) -> PushProcess {
        PushProcess { pid, started: start_ticks(pid) }
    }

    /// Returns true while this very process still runs (not a later one with its pid).
    pub fn running(&self) -> bool {
        let Ok(pid) = i32::try_from(self.pid) else { return false };
        // SAFETY: kill(2) with signal 0 only asks whether the process exists.
        let exists = unsafe { libc::kill(pid, 0) } == 0
            || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
        exists && start_ticks(self.pid) == self.started && !zombie(self.pid)
    }
}

/// What `pushing.json` holds.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InFlight {
    /// The run that started the pushes.
    pub run: String,
    /// Every update its pushes make.
    pub updates: Vec<StartedUpdate>,
    /// The push processes, as they started.
    #[serde(default)]
    pub processes: Vec<PushProcess>,
}

/// The error returned when `pushing.json` cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum InFlightError {
    /// The file could not be read, written or removed.
    #[error("cannot {action} {path}")]
    Io {
        /// `read`, `write` or `remove`.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is not what gfbridge writes.
    #[error("{path} is unreadable; delete it once no `git push` of gfbridge runs any more")]
    Format {
        /// The file.
        path: PathBuf,
        /// What the JSON reader said.
        #[source]
        source: serde_json::Error,
    },
    /// A push process of an interrupted run is still running after `waited`.
    #[error("the `git push` of an interrupted run (pid {pid}) is still running")]
    StillRunning {
        /// Its process id.
        pid: u32,
    },
}

/// Writes `inflight` whole (temporary file, then rename).
pub fn save(path: &Path, inflight: &InFlight) -> Result<(), InFlightError> {
    let text = serde_json::to_string(inflight).expect("pushes under way always serialize");
    crate::files::write_atomically(path, text.as_bytes(), None)
        .map_err(|source| InFlightError::Io { action: "write", path: path.to_path_buf(), source })
}

/// Returns what an earlier run left in `path`, if anything.
pub fn load(path: &Path) -> Result<Option<InFlight>, InFlightError> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|source| InFlightError::Format { path: path.to_path_buf(), source }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(InFlightError::Io { action: "read", path: path.to_path_buf(), source }),
    }
}

/// Removes `path`: every push it names is journalled.
pub fn clear(path: &Path) -> Result<(), InFlightError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(InFlightError::Io { action: "remove", path: path.to_path_buf(), source: e })
        }
        _ => Ok(()),
    }
}

/// Waits up to `wait` for every process of `inflight` to end; `on_wait` is called once when
/// one is found running.
pub fn await_processes(
    inflight: &InFlight,
    wait: Duration,
    on_wait: impl FnOnce(u32),
) -> Result<(), InFlightError> {
    let deadline = Instant::now() + wait;
    let mut on_wait = Some(on_wait);
    for process in &inflight.processes {
        while process.running() {
            if Instant::now() >= deadline {
                return Err(InFlightError::StillRunning { pid: process.pid });
            }
            if let Some(notify) = on_wait.take() {
                notify(process.pid);
            }
            // Not our child: nothing to wait on but its disappearance.
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    Ok(())
}

/// Returns field 22 of `/proc/<pid>/stat` (start time in clock ticks since boot).
fn start_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses: count after its last `)`.
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// Returns true when `pid` has exited but not been reaped (state `Z`): it runs no more.
fn zombie(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { return false };
    stat.rfind(')').and_then(|i| stat[i + 1..].split_whitespace().next()) == Some("Z")
}
