//! How an error is shown to people (docs/output.md): [`Shown`] carries the exit code, the
//! message with every cause joined (`cannot create /srv/gfbridge/widgets: Permission denied
//! (os error 13)`) and, apart from it, what to do (a hint). Like jj's `command_error.rs`:
//! every error that reaches a person passes through [`Shown`].
//!
//! Owns the [`Classified`] trait; each error type states its exit code beside its own
//! definition. Must not know any error type (it sits on the lowest floor).

use std::error::Error;

use crate::exit::Exit;

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

/// An error that knows its exit code and hint. Every error type a command can end with
/// implements it beside its own definition, matching every variant (no catch-all), so a new
/// variant cannot get a code by accident.
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
