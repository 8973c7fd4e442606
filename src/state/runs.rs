//! `runs.jsonl`: one line per finished sync of a workspace (not dry runs, not runs that found
//! the workspace busy), so that `status` can tell how the last runs went without the network.
//!
//! Append-only and bounded: past `KEEP_MAX` lines the oldest are dropped. Must not decide
//! anything about branches; it records what a run's result says.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::Path;

/// Lines kept once the file is trimmed; trimming happens past twice as many.
const KEEP: usize = 1000;
const KEEP_MAX: usize = 2 * KEEP;

/// One ref that needed a person in a run.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema, serde::Deserialize,
)]
pub struct NeededAttention {
    /// The branch (or tag) name.
    #[serde(rename = "ref")]
    pub ref_name: String,
    /// The action or outcome that needs a person: `diverged`, `blocked`, `failed`, ...
    pub action: String,
}

/// One finished run.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema, serde::Deserialize,
)]
pub struct RunRecord {
    /// The run id (as in the journal).
    pub run: String,
    /// When it ended, RFC 3339 UTC.
    pub time: String,
    /// Its exit code (docs/output.md).
    pub exit_code: u8,
    /// The refs that needed a person.
    #[serde(default)]
    pub attention: Vec<NeededAttention>,
    /// The operational failure that stopped it, if any.
    #[serde(default)]
    pub error: Option<String>,
}

impl RunRecord {
    /// Returns whether the run ended without an operational failure (exit 0, 3 or 4), as
    /// `gfbridge_last_success_timestamp_seconds` counts it.
    pub fn succeeded(&self) -> bool {
        !matches!(self.exit_code, 1 | 2)
    }
}

/// Appends `record`, trimming the file to the newest `KEEP` lines when it grew past
/// `KEEP_MAX`.
pub fn append(path: &Path, record: &RunRecord) -> std::io::Result<()> {
    let mut line = serde_json::to_string(record).expect("run records always serialize");
    line.push('\n');
    let mut file = OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(line.as_bytes())?;
    file.sync_data()?;
    // Only a file that may hold more than KEEP_MAX lines is read back: a run's line is
    // rarely under 64 bytes, so smaller files cannot, and every run stays one append.
    if file.metadata()?.len() < (KEEP_MAX * 64) as u64 {
        return Ok(());
    }
    let text = std::fs::read_to_string(path)?;
    let count = text.lines().count();
    if count > KEEP_MAX {
        let kept: Vec<&str> = text.lines().skip(count - KEEP).collect();
        crate::files::write_atomically(path, (kept.join("\n") + "\n").as_bytes(), None)?;
    }
    Ok(())
}

/// Returns the recorded runs, oldest first; unreadable lines (a torn write) are skipped.
pub fn load(path: &Path) -> std::io::Result<Vec<RunRecord>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}
