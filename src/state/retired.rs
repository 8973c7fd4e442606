//! `retired.json`: a workspace a cutover retired (docs/cutover.md) — when, and the record it
//! wrote. Present means `sync`, `serve` and the hook leave the workspace alone; `cutover
//! --undo` removes it.
//!
//! Must not decide whether a cutover may happen: that is `cutover`.

use std::path::{Path, PathBuf};

/// Why a workspace is out of service.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct Retired {
    /// When the cutover happened, RFC 3339 UTC.
    pub at: String,
    /// The cutover record it wrote (the `.json` file).
    pub record: PathBuf,
}

/// The error returned when the file cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum RetiredError {
    /// The file system refused.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is not what a cutover writes.
    #[error("{path}: not a cutover's retirement record: {source}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What the JSON reader said.
        source: serde_json::Error,
    },
}

/// Returns the retirement of the workspace whose file is `path`, if it is retired.
pub fn read(path: &Path) -> Result<Option<Retired>, RetiredError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(RetiredError::Io { path: path.to_path_buf(), source }),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|source| RetiredError::Format { path: path.to_path_buf(), source })
}

/// Returns the retirement of workspace `name` under `cache_dir`, if it is retired.
pub fn of(cache_dir: &Path, name: &str) -> Result<Option<Retired>, RetiredError> {
    read(&super::WorkspaceDir::new(cache_dir, name).retired())
}

impl Retired {
    /// Returns the sentence every command uses for a retired workspace.
    pub fn describe(&self, workspace: &str) -> String {
        format!(
            "workspace {workspace} was retired by a cutover at {} (record: {}); `gfbridge cutover -w {workspace} --undo` returns it to service",
            self.at,
            self.record.display()
        )
    }
}

/// Marks the workspace retired (atomically: a crash leaves it either in service or retired).
pub fn write(path: &Path, retired: &Retired) -> Result<(), RetiredError> {
    let text = serde_json::to_string_pretty(retired).expect("retirements always serialize");
    crate::files::write_atomically(path, text.as_bytes(), None)
        .map_err(|source| RetiredError::Io { path: path.to_path_buf(), source })
}

/// Returns the workspace to service; returns whether it was retired.
pub fn remove(path: &Path) -> Result<bool, RetiredError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(RetiredError::Io { path: path.to_path_buf(), source }),
    }
}
