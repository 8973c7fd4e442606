//! One run per workspace: an exclusive lock on `cache_dir/<workspace>/lock`.
//!
//! The kernel releases the lock when the holder dies (even by kill -9), so a crash never
//! leaves a workspace stuck. Must not know what the run does.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The error returned by [`WorkspaceLock::acquire`].
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another run holds the lock, and the wait (if any) ran out.
    #[error("workspace is busy: another gfbridge run holds {path}")]
    Busy { path: PathBuf },
    /// The lock file could not be opened or locked.
    #[error("cannot lock {path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Held while a run owns a workspace; dropping it releases the lock.
#[derive(Debug)]
pub struct WorkspaceLock {
    _file: File,
}

impl WorkspaceLock {
    /// Returns the lock on `path`, waiting up to `wait` for another holder to let go.
    ///
    /// `on_wait` is called once, when the lock is found busy and a wait begins.
    pub fn acquire(path: &Path, wait: Duration, on_wait: impl FnOnce()) -> Result<Self, LockError> {
        let io = |e: std::io::Error| LockError::Io { path: path.to_path_buf(), source: e };
        let file =
            OpenOptions::new().create(true).truncate(false).write(true).open(path).map_err(io)?;
        let deadline = Instant::now() + wait;
        let mut on_wait = Some(on_wait);
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(WorkspaceLock { _file: file }),
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    if let Some(notify) = on_wait.take() {
                        notify();
                    }
                    // flock has no timed wait; a short poll keeps --wait bounded.
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(LockError::Busy { path: path.to_path_buf() })
                }
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
        }
    }
}
