//! How an error is shown to people, and the one table from error to exit code (docs/output.md).
//!
//! Errors keep their causes as `#[source]`; this is the one place that joins them
//! (`cannot create /srv/gfbridge/widgets: Permission denied (os error 13)`), decides which
//! exit code each gives, and keeps what to do about it (a hint) apart from what went wrong.
//! Like jj's `command_error.rs`: every error that reaches a person passes through [`Shown`].

use std::error::Error;

use crate::attribution::AttributionError;
use crate::config::ConfigError;
use crate::exit::Exit;
use crate::hook::install::InstallError;
use crate::serve::ServeError;
use crate::state::inflight::InFlightError;
use crate::state::lock::LockError;
use crate::sync::SyncError;

/// An error as people see it: the exit code it gives, its message with every cause, and
/// what to do about it, printed on a line of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shown {
    /// The exit code.
    pub exit: Exit,
    /// The message, causes joined by [`chain`].
    pub message: String,
    /// What to do about it, when there is something to say.
    pub hint: Option<&'static str>,
}

impl Shown {
    /// Returns a usage or configuration error (exit 2) found by the command line itself.
    pub fn usage(message: impl Into<String>) -> Shown {
        Shown { exit: Exit::Usage, message: message.into(), hint: None }
    }

    /// Returns an operational failure (exit 1) found by the command line itself.
    pub fn failure(message: impl Into<String>) -> Shown {
        Shown { exit: Exit::Failure, message: message.into(), hint: None }
    }
}

/// An error that knows its exit code and hint: the table. Every error type a command can
/// end with has its row here, and nowhere else.
pub trait Classified: Error {
    /// Returns the exit code this error gives.
    fn exit(&self) -> Exit;
    /// Returns what to do about it, when there is something to say.
    fn hint(&self) -> Option<&'static str> {
        None
    }
}

impl<E: Classified> From<&E> for Shown {
    fn from(error: &E) -> Shown {
        Shown { exit: error.exit(), message: chain(error), hint: error.hint() }
    }
}

impl Classified for ConfigError {
    fn exit(&self) -> Exit {
        Exit::Usage
    }
}

impl Classified for SyncError {
    fn exit(&self) -> Exit {
        match self {
            SyncError::Lock(LockError::Busy { .. })
            | SyncError::Moving { .. }
            | SyncError::InFlight(InFlightError::StillRunning { .. }) => Exit::Busy,
            SyncError::Interrupted(stop) => stop.exit(),
            _ => Exit::Failure,
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

impl Classified for AttributionError {
    fn exit(&self) -> Exit {
        match self {
            AttributionError::Plan(shown) => shown.exit,
            _ => Exit::Failure,
        }
    }
    // No hint: the plan's hints name `sync`'s flags (`--wait`), which `authors` lacks.
}

impl Classified for ServeError {
    fn exit(&self) -> Exit {
        match self {
            ServeError::NoSecret(_) => Exit::Usage,
            _ => Exit::Failure,
        }
    }
}

impl Classified for InstallError {
    fn exit(&self) -> Exit {
        match self {
            InstallError::Io { .. } => Exit::Failure,
            _ => Exit::Usage,
        }
    }
}

/// Returns `error`'s message followed by every cause whose text it does not already hold.
pub fn chain(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        let more = e.to_string();
        if !more.is_empty() && !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        cause = e.source();
    }
    text
}
