//! Confirming that a push reached Perforce (docs/git-fusion.md): Git Fusion copies in the background
//! after `git push` returns, and reports through its `git-fusion-status-*` keys.
//!
//! Pure: the readings of the keys (`judge`, `landed`) and of `@wait`'s output; asking Git Fusion
//! (the `p4 keys` calls, the `@wait` clone) is `perforce::confirm`.

use super::p4gf_config::encode_repo_name;

/// What the keys say about push `N`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Copied into Perforce.
    Succeeded,
    /// Git Fusion failed or rejected it; its own message.
    Failed(String),
    /// Not decided yet.
    Unknown,
}

/// Returns the verdict of `keys` (key, value) on push `push_id` of `repo`.
///
/// A per-push key with `failed` or `rejected` is a failure; `Push <N> completed successfully`,
/// or a repo-wide key naming a later push while no per-push key exists, is success.
pub fn judge(keys: &[(String, String)], repo: &str, push_id: u64) -> Status {
    let repo_key = format!("git-fusion-status-{}", encode_repo_name(repo));
    let push_key = format!("{repo_key}-{push_id}");
    let value = |k: &str| keys.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    if let Some(per_push) = value(&push_key) {
        let lower = per_push.to_ascii_lowercase();
        if lower.contains("failed") || lower.contains("rejected") {
            return Status::Failed(per_push.to_string());
        }
        if per_push.contains(&format!("Push {push_id} completed successfully")) {
            return Status::Succeeded;
        }
        return Status::Unknown;
    }
    match value(&repo_key) {
        Some(v) if v.contains(&format!("Push {push_id} completed successfully")) => {
            Status::Succeeded
        }
        Some(v) if named_push(v).is_some_and(|n| n > push_id) => Status::Succeeded,
        _ => Status::Unknown,
    }
}

/// Returns true when `keys` say two things of a remembered push `push_id` of `repo` whose
/// target Git Fusion's branch now holds: no per-push key says it failed, and the repo-wide
/// key says the last push completed. The target then reached Perforce, whichever push took
/// it there (an interrupted run's push that landed late).
pub fn landed(keys: &[(String, String)], repo: &str, push_id: Option<u64>) -> bool {
    let repo_key = format!("git-fusion-status-{}", encode_repo_name(repo));
    let last = keys.iter().find(|(key, _)| *key == repo_key).map(|(_, v)| v.as_str());
    let completed = last.is_some_and(|v| {
        named_push(v).is_some() && v.trim_end().ends_with("completed successfully")
    });
    let failed = push_id.is_some_and(|id| matches!(judge(keys, repo, id), Status::Failed(_)));
    completed && !failed
}

/// Returns N from a status line `Push <N> …`.
fn named_push(value: &str) -> Option<u64> {
    value.strip_prefix("Push ")?.split_whitespace().next()?.parse().ok()
}

/// Returns the status Git Fusion's `@wait@<repo>@<N>` special repository printed.
///
/// Git Fusion writes the line to stderr (over SSH git then reports a hang-up): read both
/// streams for `Push <N> completed successfully`, or a `Push <N> …` failure or rejection.
pub fn judge_wait_output(text: &str, push_id: u64) -> Status {
    let prefix = format!("Push {push_id} ");
    let line = text
        .lines()
        .map(|l| l.strip_prefix("remote: ").unwrap_or(l).trim())
        .find(|l| l.starts_with(&prefix));
    match line {
        Some(l) if l.contains("completed successfully") => Status::Succeeded,
        Some(l) if l.contains("failed") || l.contains("rejected") => Status::Failed(l.to_string()),
        _ => Status::Unknown,
    }
}

/// Returns the URL of `@wait@<repo>@<N>` on the Git Fusion server behind `remote`, when the
/// remote's address ends with the repo name (optionally `.git`), as Git Fusion URLs do.
pub fn wait_url(remote: &str, repo: &str, push_id: u64) -> Option<String> {
    let base = remote.strip_suffix(".git").unwrap_or(remote);
    let prefix = base.strip_suffix(repo)?;
    Some(format!("{prefix}@wait@{repo}@{push_id}"))
}
