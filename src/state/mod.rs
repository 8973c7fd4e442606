//! What gfbridge keeps between runs under `cache_dir/<workspace>/` (docs/output.md): the lock, the
//! journal, the pushes under way, remembered pushes and the record of runs. The cache repository and its base refs are `crate::cache`.

pub mod inflight;
pub mod journal;
pub mod lock;
pub mod predictions;
pub mod pushes;
pub mod retired;
pub mod runs;

use std::path::PathBuf;

/// The files of one workspace under `cache_dir`.
#[derive(Clone, Debug)]
pub struct WorkspaceDir {
    /// `cache_dir/<workspace>`.
    pub root: PathBuf,
}

impl WorkspaceDir {
    /// Returns the layout for `workspace` under `cache_dir`.
    pub fn new(cache_dir: &std::path::Path, workspace: &str) -> Self {
        WorkspaceDir { root: cache_dir.join(workspace) }
    }

    /// Returns the bare cache repository's path.
    pub fn cache(&self) -> PathBuf {
        self.root.join("cache.git")
    }

    /// Returns the lock file's path.
    pub fn lock(&self) -> PathBuf {
        self.root.join("lock")
    }

    /// Returns the path of the remembered failed and pending pushes to Git Fusion.
    pub fn pushes(&self) -> PathBuf {
        self.root.join("fusion-pushes.json")
    }

    /// Returns the path of the record of finished runs (`status` reads it).
    pub fn runs(&self) -> PathBuf {
        self.root.join("runs.jsonl")
    }

    /// Returns the path of the pushes a run has under way (removed once they are journalled).
    pub fn inflight(&self) -> PathBuf {
        self.root.join("pushing.json")
    }

    /// Returns the path of the owners predicted for the commits pushed to Git Fusion.
    pub fn predictions(&self) -> PathBuf {
        self.root.join("predictions.jsonl")
    }

    /// Returns the path of the record that a cutover retired the workspace.
    pub fn retired(&self) -> PathBuf {
        self.root.join("retired.json")
    }

    /// Returns the journal's path.
    pub fn journal(&self) -> PathBuf {
        self.root.join("journal.jsonl")
    }
}
