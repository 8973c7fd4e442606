//! `predictions.jsonl`: per commit gfbridge pushed to Git Fusion, the Perforce user it predicted
//! would own the commit's changelist, so that `audit` can hold the prediction to what Perforce
//! recorded. Written after a push's result is known (never for a dry run); append-only.
//!
//! Must not judge a prediction: that is `audit`.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use crate::oid::Oid;
use crate::refname::BranchName;

/// One commit's prediction.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Prediction {
    /// The run that pushed the commit.
    pub run: String,
    /// When the push's result was known, RFC 3339 UTC.
    pub time: String,
    /// The branch it was pushed to.
    pub branch: BranchName,
    /// The commit.
    pub commit: Oid,
    /// The Perforce user predicted to own its changelist; `None` when Git Fusion would have
    /// refused the author (a push the preflight let through only when told to).
    pub predicted_owner: Option<String>,
    /// How Git Fusion finds that user: `usermap`, `p4_users`, `unknown_git`, `pusher`.
    pub via: String,
    /// Git Fusion's push number, when it printed one.
    pub push_id: Option<u64>,
}

/// The error returned when the predictions cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum PredictionsError {
    /// The file could not be opened, read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A line is not a prediction.
    #[error("{path}:{line}: not a prediction: {source}")]
    Format {
        /// The file.
        path: std::path::PathBuf,
        /// The line number, from 1.
        line: usize,
        /// What the JSON reader said.
        source: serde_json::Error,
    },
}

/// Which recorded commits to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Window {
    /// The last N lines.
    Last(usize),
    /// The lines whose time is at or after this RFC 3339 instant.
    Since(jiff::Timestamp),
}

/// Appends `predictions`, one line each, and makes them durable.
pub fn append(path: &Path, predictions: &[Prediction]) -> Result<(), PredictionsError> {
    if predictions.is_empty() {
        return Ok(());
    }
    let io = |source| PredictionsError::Io { path: path.to_path_buf(), source };
    let mut text = String::new();
    for p in predictions {
        text.push_str(&serde_json::to_string(p).expect("predictions always serialize"));
        text.push('\n');
    }
    let mut file = OpenOptions::new().create(true).append(true).open(path).map_err(io)?;
    file.write_all(text.as_bytes()).map_err(io)?;
    file.sync_data().map_err(io)
}

/// Returns the recorded predictions in `window`, oldest first; none when the file is absent.
/// Reads the file as a stream: memory follows the window, not the file.
pub fn read(path: &Path, window: &Window) -> Result<Vec<Prediction>, PredictionsError> {
    let io = |source| PredictionsError::Io { path: path.to_path_buf(), source };
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(e)),
    };
    let mut kept: VecDeque<Prediction> = VecDeque::new();
    for (index, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(io)?;
        if line.trim().is_empty() {
            continue;
        }
        let prediction: Prediction = serde_json::from_str(&line).map_err(|source| {
            PredictionsError::Format { path: path.to_path_buf(), line: index + 1, source }
        })?;
        match window {
            Window::Last(n) => {
                if *n == 0 {
                    continue;
                }
                if kept.len() == *n {
                    kept.pop_front();
                }
                kept.push_back(prediction);
            }
            Window::Since(since) => {
                // A time that does not parse is kept: never hide a commit from the audit.
                let at = prediction.time.parse::<jiff::Timestamp>().ok();
                if at.is_none_or(|at| at >= *since) {
                    kept.push_back(prediction);
                }
            }
        }
    }
    Ok(kept.into())
}
