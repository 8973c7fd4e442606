//! GitLab's own mirrors of a project (docs/operations.md): an enabled push mirror to the Git Fusion repo
//! force-overwrites what gfbridge protects, and a pull mirror from it writes GitLab branches
//! behind gfbridge's back. Owns reading them and comparing their URLs with a remote's.
//!
//! Must not change a mirror; it only says which ones point where.

use serde::Deserialize;

use reqwest::StatusCode;

use super::{encode_project, GitlabClient, GitlabError};

/// One mirror as GitLab lists it (credentials in its URL masked by GitLab).
#[derive(Clone, Debug, Deserialize)]
pub struct Mirror {
    /// The mirror's URL, `https://*****:*****@host/path` for stored credentials.
    pub url: String,
    /// Whether GitLab runs it.
    #[serde(default)]
    pub enabled: bool,
}

impl GitlabClient {
    /// Returns the project's push mirrors (`/projects/:id/remote_mirrors`).
    pub fn push_mirrors(&self, project: &str) -> Result<Vec<Mirror>, GitlabError> {
        let endpoint = format!("/projects/{}/remote_mirrors", encode_project(project));
        let url = format!("{}{endpoint}", self.api);
        let response = self.get(&endpoint, &url)?;
        response.json().map_err(|e| GitlabError::Body { endpoint, source: e.without_url() })
    }

    /// Returns the project's pull mirror (`/projects/:id/mirror/pull`). `None` when it has
    /// none: GitLab answers `400 {"message": "The project is not mirrored"}` for a project
    /// without a pull mirror, and GitLab Free and CE answer 404 (no such endpoint there).
    pub fn pull_mirror(&self, project: &str) -> Result<Option<Mirror>, GitlabError> {
        let endpoint = format!("/projects/{}/mirror/pull", encode_project(project));
        let url = format!("{}{endpoint}", self.api);
        match self.get(&endpoint, &url) {
            Ok(response) => response
                .json()
                .map(Some)
                .map_err(|e| GitlabError::Body { endpoint, source: e.without_url() }),
            Err(GitlabError::Status { status: StatusCode::NOT_FOUND, .. }) => Ok(None),
            Err(GitlabError::Status { status: StatusCode::BAD_REQUEST, said: Some(m), .. })
                if m.to_ascii_lowercase().contains("not mirrored") =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }
}

/// Returns `(host, path)` of a git URL as the same repository on any transport: the host in
/// lower case, the path without slashes at either end or a trailing `.git`; scheme, user
/// information and port are ignored, and scp-like `git@host:path` is host + path. `None` for
/// a local path.
pub fn repository_of(url: &str) -> Option<(String, String)> {
    let (host, path) = match url.split_once("://") {
        Some((_, rest)) => {
            let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
            let host = authority.rsplit('@').next().unwrap_or(authority);
            (host.split(':').next().unwrap_or(host), path)
        }
        None => {
            let (before, path) = url.split_once(':')?;
            if before.contains('/') {
                return None; // a local path with a colon in it
            }
            (before.rsplit('@').next().unwrap_or(before), path)
        }
    };
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path).trim_end_matches('/');
    (!host.is_empty()).then(|| (host.to_lowercase(), path.to_string()))
}
