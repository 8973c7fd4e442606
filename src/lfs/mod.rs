//! Git LFS both ways (docs/lfs.md): what a pointer is, which paths Git Fusion counts as
//! tracked, the batch API, the cache's object store, and copying objects between the two
//! sides' servers before a push.
//!
//! Must not plan or push; `sync` decides when objects move and what a failure means.

pub mod attributes;
pub mod batch;
pub mod pointer;
pub mod scan;
pub mod store;
pub mod transfer;
pub mod verify;

use crate::git::RemoteUrl;
use batch::Endpoint;

/// Whether LFS objects travel with their commits (workspace key `lfs`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LfsMode {
    /// Objects are copied before a push that needs them (the default).
    #[default]
    Auto,
    /// Pointers are mirrored as plain blobs; nothing is asked of any LFS server.
    Off,
}

/// Returns the LFS endpoint of a remote: `explicit` when set, else the Git LFS convention
/// for an http(s) remote (`<url>.git/info/lfs`, or `<url>/info/lfs` when it ends in `.git`);
/// `None` for a remote of another kind (ssh, a path), which needs an explicit URL.
pub fn endpoint_for(remote: &RemoteUrl, explicit: Option<&str>) -> Option<Endpoint> {
    let credential = remote.credential().cloned();
    if let Some(url) = explicit {
        return Some(Endpoint { url: url.trim_end_matches('/').to_string(), credential });
    }
    let url = remote.as_git_arg().trim_end_matches('/');
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return None;
    }
    let base = if url.ends_with(".git") { url.to_string() } else { format!("{url}.git") };
    Some(Endpoint { url: format!("{base}/info/lfs"), credential })
}
