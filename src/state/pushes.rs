//! Pushes to Git Fusion that failed or are not yet confirmed, remembered between runs
//! (docs/architecture.md) in `cache_dir/<workspace>/fusion-pushes.json`.
//!
//! A remembered push wins over what `ls-remote` shows: Git Fusion's git side may already
//! hold commits Perforce never got. Written whole (temp file, then rename).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::oid::Oid;
use crate::refname::BranchName;

/// Why a push is remembered.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum PushState {
    /// Git Fusion refused it or its copy into Perforce failed.
    Failed,
    /// Not confirmed within `push_confirm_timeout`.
    Pending,
}

/// One remembered push of a branch.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RememberedPush {
    /// The GitLab tip that was pushed.
    pub gitlab: Oid,
    /// Git Fusion's tip before the push (`None`: a new branch).
    pub fusion_before: Option<Oid>,
    /// Git Fusion's push id, when it printed one.
    pub push_id: Option<u64>,
    /// Failed or pending.
    pub state: PushState,
    /// Git Fusion's message.
    pub message: String,
    /// When the push was first remembered (RFC 3339); absent in files of older versions.
    #[serde(default)]
    pub since: Option<String>,
}

impl RememberedPush {
    /// Returns true while the remotes still show this push's situation: GitLab at the pushed
    /// tip, and Git Fusion at its old tip or at the pushed one. Any other tip change ends it.
    pub fn still_applies(&self, gitlab: Option<Oid>, fusion: Option<Oid>) -> bool {
        gitlab == Some(self.gitlab) && (fusion == self.fusion_before || fusion == Some(self.gitlab))
    }
}

/// The error returned when the file cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum PushesError {
    /// The file could not be read or written.
    #[error("{path}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is not what gfbridge writes.
    #[error("{path} is unreadable; delete it to forget remembered pushes")]
    Format {
        /// The file.
        path: PathBuf,
        /// What the JSON reader said.
        #[source]
        source: serde_json::Error,
    },
}

/// Returns the remembered pushes by branch (none when the file does not exist).
pub fn load(path: &Path) -> Result<BTreeMap<BranchName, RememberedPush>, PushesError> {
    let path_buf = || path.to_path_buf();
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .map_err(|source| PushesError::Format { path: path_buf(), source }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(source) => Err(PushesError::Io { path: path_buf(), source }),
    }
}

/// Writes the remembered pushes whole.
pub fn save(path: &Path, pushes: &BTreeMap<BranchName, RememberedPush>) -> Result<(), PushesError> {
    let err = |source: std::io::Error| PushesError::Io { path: path.to_path_buf(), source };
    let text = serde_json::to_string_pretty(pushes).expect("remembered pushes always serialize");
    crate::files::write_atomically(path, text.as_bytes(), None).map_err(err)
}
