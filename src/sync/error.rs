//! The error that stops one workspace's run, and the exit code each of its kinds gives.
//!
//! Must not decide anything; the run (`sync::run`) chooses which error it ends with.

use crate::cache::CacheError;
use crate::fusion::preflight::InspectError;
use crate::git::remote::RemoteError;
use crate::interrupt::Stop;
use crate::perforce::facts::FactsError;
use crate::plan::Side;
use crate::state::inflight::InFlightError;
use crate::state::lock::LockError;

use super::MAX_ATTEMPTS;

/// The error that stops a workspace's run.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// A remote could not be listed, fetched or pushed to.
    #[error("{side} remote: {source}", side = side.as_str())]
    Remote {
        /// Which remote.
        side: Side,
        /// What git said.
        source: RemoteError,
    },
    /// The cache could not be read or written.
    #[error(transparent)]
    Cache(#[from] CacheError),
    /// The lock is held by another run.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// A push could not be made at all (unreachable remote, bad credentials).
    #[error("{side} remote: {message}", side = side.as_str())]
    Push {
        /// Which remote.
        side: Side,
        /// What git said.
        message: String,
    },
    /// GitLab's protected branches could not be read (nothing is written then).
    #[error("GitLab API: {0}")]
    Gitlab(#[from] crate::gitlab::GitlabError),
    /// Git Fusion's settings, users or usermap could not be read.
    #[error("Git Fusion facts: {0}")]
    Facts(#[from] FactsError),
    /// A commit could not be read from the cache during the preflight.
    #[error(transparent)]
    Inspect(#[from] InspectError),
    /// A directory of the workspace's state could not be made or cleared.
    #[error("cannot {action} {path}")]
    Dir {
        /// What was being done (`create`, `clear`).
        action: &'static str,
        /// The directory.
        path: std::path::PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The journal could not be appended to.
    #[error(transparent)]
    Journal(#[from] crate::state::journal::JournalError),
    /// The remembered pushes could not be read or written.
    #[error(transparent)]
    Pushes(#[from] crate::state::pushes::PushesError),
    /// Git Fusion could not be asked about a pending push.
    #[error("cannot ask Git Fusion about a pending push")]
    Recheck(#[source] crate::perforce::P4Error),
    /// A signal asked the run to stop; what was under way was settled and journalled.
    #[error("stopped by {}: every push under way was finished and recorded; the next run carries on", .0.name())]
    Interrupted(Stop),
    /// The record of pushes under way could not be read or written, or an interrupted run's
    /// push is still running.
    #[error(transparent)]
    InFlight(#[from] InFlightError),
    /// Branches kept vanishing from a remote between listing and fetching, every attempt.
    #[error("the remote kept moving: {branches} vanished between listing and fetching in each of {MAX_ATTEMPTS} attempts; the next run plans again")]
    Moving {
        /// The branches, comma-separated.
        branches: String,
    },
}

impl crate::errors::Classified for SyncError {
    fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        match self {
            SyncError::Lock(LockError::Busy { .. })
            | SyncError::Moving { .. }
            | SyncError::InFlight(InFlightError::StillRunning { .. }) => Exit::Busy,
            SyncError::Interrupted(stop) => stop.exit(),
            SyncError::Remote { .. }
            | SyncError::Cache(_)
            | SyncError::Lock(LockError::Io { .. })
            | SyncError::Push { .. }
            | SyncError::Gitlab(_)
            | SyncError::Facts(_)
            | SyncError::Inspect(_)
            | SyncError::Dir { .. }
            | SyncError::Journal(_)
            | SyncError::Pushes(_)
            | SyncError::Recheck(_)
            | SyncError::InFlight(InFlightError::Io { .. } | InFlightError::Format { .. }) => {
                Exit::Failure
            }
        }
    }

    fn hint(&self) -> Option<&'static str> {
        match self {
            SyncError::Lock(LockError::Busy { .. }) => {
                Some("pass --wait SECS to wait for the other run to finish") // `sync`'s flag
            }
            SyncError::InFlight(InFlightError::StillRunning { .. }) => {
                Some("pass --wait SECS to wait for it; its result is journalled by the next run")
            }
            _ => None,
        }
    }
}
