//! `journal.jsonl`: one JSON object per line for every ref gfbridge wrote or refused to write
//! (docs/output.md), branch or tag. Append-only; a line is written whole or not at all.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::oid::Oid;
use crate::plan::Side;
use crate::refname::RefKind;

/// One journal line, with the keys docs/output.md names.
#[derive(Debug, serde::Serialize)]
pub struct Entry {
    /// RFC 3339 time of the write or refusal.
    pub time: String,
    /// The run id.
    pub run: String,
    /// The workspace.
    pub workspace: String,
    /// `branch` or `tag` (docs/tags.md).
    pub kind: RefKind,
    /// The branch's or tag's name (the key is `branch` for both, as docs/output.md names it).
    pub branch: String,
    /// The side written, or that would have been written.
    pub remote: Option<Side>,
    /// The action planned (`blocked` for a push the preflight stopped).
    pub action: &'static str,
    /// The tip before (the side's tip for a refusal).
    pub old: Option<Oid>,
    /// The tip written, or that would have been written.
    pub new: Option<Oid>,
    /// What became of the write.
    pub outcome: Logged,
    /// What happened, for people.
    pub message: String,
}

/// What a journal line says became of a write: a run's outcome (`outcome::Outcome`), or what
/// only the journal says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Logged {
    /// Written (or found already there).
    Done,
    /// Pushed to Git Fusion, not yet confirmed.
    Pending,
    /// The remote refused, or the push failed.
    Failed,
    /// Not written: a dry run, a race, or nothing to write.
    Skipped,
    /// Not written, on purpose: the ref needs a person (attention, blocked).
    Refused,
    /// A push about to start (its result line follows, from this run or the next).
    Started,
    /// A push an interrupted run started that did not land.
    Lost,
}

/// The error returned when the journal cannot be appended to.
#[derive(Debug, thiserror::Error)]
#[error("cannot append to journal {path}")]
pub struct JournalError {
    path: PathBuf,
    #[source]
    source: std::io::Error,
}

/// Appends `entries` to the journal at `path`, one line each, in one write.
pub fn append(path: &Path, entries: &[Entry]) -> Result<(), JournalError> {
    if entries.is_empty() {
        return Ok(());
    }
    let err = |source: std::io::Error| JournalError { path: path.to_path_buf(), source };
    let mut text = String::new();
    for entry in entries {
        text.push_str(&serde_json::to_string(entry).expect("journal entries always serialize"));
        text.push('\n');
    }
    let mut file = OpenOptions::new().create(true).append(true).open(path).map_err(err)?;
    file.write_all(text.as_bytes()).map_err(err)?;
    file.sync_data().map_err(err)
}

/// Returns the current time as RFC 3339 UTC with second precision.
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now().round(jiff::Unit::Second).map(|t| t.to_string()).unwrap_or_default()
}
