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
