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

use crate::config::Workspace;
use crate::git::RemoteUrl;
use crate::plan::Side;
use batch::Endpoint;

pub use crate::config::LfsMode;

/// Returns the LFS endpoint of `side` of `ws`, with that side's credential: its
/// `<side>_lfs_url` when set, else the convention for an http(s) remote; `None` when the remote
/// is not http(s) and no URL is configured.
pub fn endpoint(ws: &Workspace, side: Side) -> Option<Endpoint> {
    match side {
        Side::Gitlab => endpoint_for(&ws.gitlab_remote, ws.gitlab_lfs_url.as_deref()),
        Side::Fusion => endpoint_for(&ws.fusion_remote, ws.fusion_lfs_url.as_deref()),
    }
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
