//! LFS objects kept in the workspace's cache, in the layout `git lfs` uses
//! (`<cache>/lfs/objects/<o[0:2]>/<o[2:4]>/<oid>`), so that a retry after a failure or a
//! kill does not download again. An object is written to `lfs/tmp/` and renamed into place
//! only after its SHA-256 and size were checked (`verify`); it is checked again whenever it
//! is re-sent, so a copy damaged on disk is never sent whole.
//!
//! Owns the layout; must not talk to servers.

use std::path::{Path, PathBuf};

use super::pointer::Pointer;

/// The LFS object store of one cache.
#[derive(Clone, Debug)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// Returns the store of the cache repository at `git_dir`.
    pub fn of_cache(git_dir: &Path) -> Store {
        Store { root: git_dir.join("lfs") }
    }

    /// Returns where the object of `pointer` lives when kept.
    pub fn object_path(&self, pointer: &Pointer) -> PathBuf {
        let oid = pointer.oid.to_string();
        self.root.join("objects").join(&oid[0..2]).join(&oid[2..4]).join(oid)
    }

    /// Returns whether the object is kept whole.
    pub fn has(&self, pointer: &Pointer) -> bool {
        std::fs::metadata(self.object_path(pointer)).is_ok_and(|m| m.len() == pointer.size)
    }

    /// Returns a fresh temporary path for downloading `pointer`, its directory made.
    pub fn temp_path(&self, pointer: &Pointer) -> std::io::Result<PathBuf> {
        let dir = self.root.join("tmp");
        std::fs::create_dir_all(&dir)?;
        let unique =
            format!("{}.{}.{:?}", pointer.oid, std::process::id(), std::thread::current().id());
        Ok(dir.join(unique.replace(['(', ')'], "")))
    }

    /// Moves a checked download into place.
    pub fn adopt(&self, temp: &Path, pointer: &Pointer) -> std::io::Result<()> {
        let path = self.object_path(pointer);
        std::fs::create_dir_all(path.parent().expect("an object path has a directory"))?;
        std::fs::rename(temp, path)
    }
}
