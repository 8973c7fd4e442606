//! Git Fusion's LFS refusals (docs/lfs.md, docs/git-fusion.md `_check_lfs`), predicted per file a
//! commit adds or changes: a pointer while `git-lfs-enable` is off would put the pointer text
//! in Perforce (`lfs_disabled_on_fusion`); a pointer at a path the commit's own
//! `.gitattributes` does not track is refused (`lfs_untracked_pointer`). The objects of
//! tracked pointers are collected for the transfer, which also tells whether they exist.
//!
//! Must not talk to LFS servers.

use std::collections::HashSet;

use crate::commits::Change;
use crate::lfs::pointer::{LfsOid, Pointer};
use crate::lfs::scan::Blobs;
use crate::lfs::transfer::Needed;
use crate::oid::Oid;
use crate::outcome::Reason;
use crate::reason::Code;

/// The LFS rules for one run's pushes to Git Fusion.
pub struct LfsRules {
    /// Git Fusion's effective `[perforce-to-git] git-lfs-enable`.
    enabled: bool,
    /// The objects tracked pointers name, first sighting first.
    needed: Vec<Needed>,
    seen: HashSet<LfsOid>,
}

impl LfsRules {
    /// Returns the rules for a Git Fusion whose `git-lfs-enable` is `enabled`.
    pub fn new(enabled: bool) -> LfsRules {
        LfsRules { enabled, needed: Vec::new(), seen: HashSet::new() }
    }

    /// Returns the findings about `change` of commit `oid`, and remembers the object of a
    /// tracked pointer.
    pub fn check(
        &mut self,
        blobs: &mut Blobs<'_>,
        oid: Oid,
        change: &Change,
    ) -> Result<Option<Reason>, git2::Error> {
        let Some(blob) = change.blob.filter(|_| change.regular) else { return Ok(None) };
        let found = blobs.pointer(blob)?;
        let Some(fusion) = found.fusion else { return Ok(None) };
        let path = String::from_utf8_lossy(&change.path).into_owned();
        let short = oid.short();
        let reason = |code, message: String| {
            let mut r = Reason::new(code, Some(oid), message, true);
            r.path = Some(path.clone());
            r
        };
        if !self.enabled {
            let message = format!(
                "`{path}` is a Git LFS pointer (object {}) while Git Fusion's git-lfs-enable is not yes: Perforce would store the pointer text instead of the file",
                fusion.oid
            );
            return Ok(Some(reason(Code::LfsDisabledOnFusion, message)));
        }
        if !blobs.is_tracked(oid, &path)? {
            let message = format!(
                "`{path}` is a Git LFS pointer (object {}) but the commit's .gitattributes does not give it filter=lfs (Git Fusion: `Push of Git LFS text pointer not tracked by LFS:\\ncommit {short} path {path}`)",
                fusion.oid
            );
            return Ok(Some(reason(Code::LfsUntrackedPointer, message)));
        }
        if self.seen.insert(fusion.oid) {
            let pointer =
                found.spec.unwrap_or(Pointer { oid: fusion.oid, size: fusion.size.unwrap_or(0) });
            self.needed.push(Needed { pointer, commit: oid, path, copyable: found.spec.is_some() });
        }
        Ok(None)
    }

    /// Returns the objects collected since the last call.
    pub fn take_needed(&mut self) -> Vec<Needed> {
        self.seen.clear();
        std::mem::take(&mut self.needed)
    }
}
