//! Writing files so that a reader sees the old content or the new, never half of either, and
//! a crash right after a write never loses it.
//!
//! Owns no file formats; callers bring the bytes.

use std::fs::{File, Permissions};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

/// Writes `contents` to a temporary file beside `path` (with permission bits `mode`; without,
/// those of the file it replaces, else 0644), syncs it, renames it over `path` and syncs the
/// directory, so that the rename itself survives a power cut. A failed write leaves the
/// previous file in place and no temporary file behind.
pub fn write_atomically(path: &Path, contents: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mode = mode
        .or_else(|| std::fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o7777))
        .unwrap_or(0o644);
    let mut temp = tempfile::Builder::new().prefix(".gfbridge-").tempfile_in(dir)?;
    temp.write_all(contents)?;
    temp.as_file().set_permissions(Permissions::from_mode(mode))?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| e.error)?;
    File::open(dir)?.sync_all()
}
