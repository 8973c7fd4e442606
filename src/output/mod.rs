//! Everything gfbridge prints, in one place: the text people read on a terminal or in a log, the
//! Markdown and HTML of the report, and the JSON documents other programs read — each built
//! from a `Serialize` type whose JSON Schema ships in docs/schema/ (`schema`).
//!
//! One module per command's output: `sync`, `report/`, `check`, `authors`, `status`; `refs` holds
//! the branch and tag objects `sync` and `report` share. Pure functions from results to text:
//! must not run git, p4 or the network, or decide anything.

pub mod audit;
pub mod authors;
pub mod check;
pub mod cutover;
pub mod discover;
pub mod page;
pub mod refs;
pub mod report;
pub mod schema;
pub mod status;
pub mod sync;

pub use crate::about::version;

/// Returns `document` as indented JSON with a final newline, as every command prints it.
pub fn json_text<T: serde::Serialize>(document: &T) -> String {
    let mut text =
        serde_json::to_string_pretty(document).expect("output documents always serialize");
    text.push('\n');
    text
}
