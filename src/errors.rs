//! How an error is shown to people: its message, then each cause that adds something
//! (`cannot create /srv/gfbridge/widgets: Permission denied (os error 13)`).
//!
//! Errors keep their causes as `#[source]`; this is the one place that joins them. Exit codes
//! are each error's own `exit()` (the table of SPEC §2.1 is `exit.rs`).

use std::error::Error;

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
