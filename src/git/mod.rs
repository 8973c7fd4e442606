//! Everything that runs the `git` executable: the runner, remote transport and its output.
//!
//! Local analysis of commits is not here (that is `cache`, in-process with git2).

pub mod log;
pub mod porcelain;
pub mod remote;
pub mod runner;
mod url;

pub use runner::{Git, GitError};
pub use url::{redact, RemoteUrl};

/// What libgit2 said, as the cause of another error: shown as its message alone (libgit2's
/// own `Display` adds its class and code, which mean nothing to the people reading it).
#[derive(Debug)]
pub struct Libgit(pub git2::Error);

impl std::fmt::Display for Libgit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0.message())
    }
}

impl std::error::Error for Libgit {}

impl From<git2::Error> for Libgit {
    fn from(e: git2::Error) -> Self {
        Libgit(e)
    }
}
