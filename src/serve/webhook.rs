//! What a GitLab webhook delivery asks for (docs/operations.md): which workspaces to sync, or why the
//! event is ignored. Pure: the HTTP layer checks the token, size and duplicates first.
//!
//! Must not queue runs or answer HTTP.

use serde::Deserialize;

use crate::config::pattern::any_match;
use crate::config::Config;
use crate::oid::Oid;
use crate::refname::{BranchName, TagName};

/// The `X-Gitlab-Event` of a push to a branch.
pub const PUSH_HOOK: &str = "Push Hook";
/// The `X-Gitlab-Event` of a tag created or deleted (docs/tags.md: tags are mirrored too).
pub const TAG_PUSH_HOOK: &str = "Tag Push Hook";

/// Why an event of a project no workspace names is ignored.
pub const NO_PROJECT: &str = "no workspace has this project";

/// The decision for one delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    /// Sync these workspaces (never empty).
    Sync {
        /// The workspaces, in config order.
        workspaces: Vec<String>,
        /// The pushed branch.
        branch: BranchName,
        /// What the push did to it.
        change: Change,
        /// The commit the push says the branch now points at (`None` for a deletion): only a
        /// hint of what to fetch early, never what is planned from.
        tip: Option<Oid>,
    },
    /// A mirrored tag was created or deleted: sync these workspaces (never empty).
    SyncTag {
        /// The workspaces, in config order.
        workspaces: Vec<String>,
        /// The tag.
        tag: TagName,
    },
    /// Acknowledge and do nothing, for this reason.
    Ignore(&'static str),
}

/// What a push did to its branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// `before` is all zeros.
    Created,
    /// `after` is all zeros.
    Deleted,
    /// Moved from one commit to another.
    Updated,
}

impl Change {
    /// Returns the word used in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Deleted => "deleted",
            Change::Updated => "updated",
        }
    }
}

/// The fields of GitLab's push event that matter here (docs/operations.md A.2).
#[derive(Debug, Deserialize)]
struct PushEvent {
    #[serde(rename = "ref")]
    refname: String,
    before: String,
    after: String,
    #[serde(default)]
    user_username: Option<String>,
    #[serde(default)]
    project_id: Option<u64>,
    #[serde(default)]
    project: Option<Project>,
}

#[derive(Debug, Deserialize)]
struct Project {
    #[serde(default)]
    id: Option<u64>,
    #[serde(default)]
    path_with_namespace: Option<String>,
}

/// The error for a body that is not a push event GitLab would send.
#[derive(Debug, thiserror::Error)]
#[error("malformed webhook body: {0}")]
pub struct Malformed(String);

/// Decides what a delivery with header `X-Gitlab-Event: event` and `body` asks for.
pub fn route(config: &Config, event: Option<&str>, body: &[u8]) -> Result<Delivery, Malformed> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| Malformed(e.to_string()))?;
    let kind = value.get("object_kind").and_then(|k| k.as_str());
    let tag_push = match (event, kind) {
        (None | Some(PUSH_HOOK), Some("push")) => false,
        (None | Some(TAG_PUSH_HOOK), Some("tag_push")) => true,
        _ => return Ok(Delivery::Ignore("not a push event")),
    };
    let push: PushEvent = serde_json::from_value(value).map_err(|e| Malformed(e.to_string()))?;
    let bridge = config.gitlab.as_ref().map_or("gfbridge", |g| g.bridge_username.as_str());
    if push.user_username.as_deref() == Some(bridge) {
        return Ok(Delivery::Ignore("pushed by the bridge account"));
    }
    if tag_push {
        return route_tag(config, &push);
    }
    let branch = match BranchName::from_full(&push.refname) {
        None => return Ok(Delivery::Ignore("not a branch")),
        Some(named) => named.map_err(|e| Malformed(e.to_string()))?,
    };
    let project: Vec<_> = config
        .workspaces
        .iter()
        .filter(|ws| project_matches(&push, ws.gitlab_project.as_deref()))
        .collect();
    if project.is_empty() {
        return Ok(Delivery::Ignore(NO_PROJECT));
    }
    let workspaces: Vec<String> = project
        .iter()
        .filter(|ws| any_match(&ws.branches, &branch))
        .map(|ws| ws.name.clone())
        .collect();
    if workspaces.is_empty() {
        return Ok(Delivery::Ignore("branch is not mirrored"));
    }
    // All zeros means absent, in SHA-1 (40) and SHA-256 (64) repositories alike.
    let absent = |id: &str| !id.is_empty() && id.bytes().all(|b| b == b'0');
    let change = match (absent(&push.before), absent(&push.after)) {
        (true, _) => Change::Created,
        (_, true) => Change::Deleted,
        _ => Change::Updated,
    };
    let tip = if change == Change::Deleted { None } else { push.after.parse().ok() };
    Ok(Delivery::Sync { workspaces, branch, change, tip })
}

/// Decides what a tag push asks for: a sync of the workspaces whose `tags` match it.
fn route_tag(config: &Config, push: &PushEvent) -> Result<Delivery, Malformed> {
    let tag = match TagName::from_full(&push.refname) {
        None => return Ok(Delivery::Ignore("not a tag")),
        Some(named) => named.map_err(|e| Malformed(e.to_string()))?,
    };
    let project: Vec<_> = config
        .workspaces
        .iter()
        .filter(|ws| project_matches(push, ws.gitlab_project.as_deref()))
        .collect();
    if project.is_empty() {
        return Ok(Delivery::Ignore(NO_PROJECT));
    }
    let workspaces: Vec<String> =
        project.iter().filter(|ws| any_match(&ws.tags, &tag)).map(|ws| ws.name.clone()).collect();
    if workspaces.is_empty() {
        return Ok(Delivery::Ignore("tag is not mirrored"));
    }
    Ok(Delivery::SyncTag { workspaces, tag })
}

/// Returns true when `gitlab_project` (path with namespace, or numeric id) names the event's
/// project. GitLab paths are case-insensitive.
fn project_matches(push: &PushEvent, gitlab_project: Option<&str>) -> bool {
    let Some(wanted) = gitlab_project.map(str::trim).filter(|p| !p.is_empty()) else {
        return false;
    };
    let project = push.project.as_ref();
    let ids = [push.project_id, project.and_then(|p| p.id)];
    if ids.iter().flatten().any(|id| id.to_string() == wanted) {
        return true;
    }
    project
        .and_then(|p| p.path_with_namespace.as_deref())
        .is_some_and(|path| path.eq_ignore_ascii_case(wanted))
}
