//! Asking Git Fusion whether a push reached Perforce (docs/git-fusion.md): its
//! `git-fusion-status-*` keys through `p4`, or, without a `[perforce]` section, its `@wait`
//! special repository through git. `push_status` is the one place that picks between them.
//!
//! Must not read what the answers mean: that is `fusion::confirm`.

use std::time::{Duration, Instant};

use super::{P4Error, P4};
use crate::config::Workspace;
use crate::fusion::confirm::{judge, judge_wait_output, wait_url, Status};
use crate::fusion::p4gf_config::encode_repo_name;
use crate::git::{Git, RemoteUrl};

/// How long each way of asking may wait for a verdict.
#[derive(Clone, Copy, Debug)]
pub struct Patience {
    /// Polling the status keys (`Duration::ZERO`: one look).
    pub keys: Duration,
    /// `@wait`, which blocks while the push runs.
    pub wait: Duration,
}

/// Returns what Git Fusion says of push `push_id` to `ws`: through `p4` when the workspace
/// has a `[perforce]` section, else through `@wait` when its remote's address allows one;
/// `Ok(None)` when there is no way to ask.
pub fn push_status(
    git: &Git,
    ws: &Workspace,
    push_id: u64,
    patience: Patience,
) -> Result<Option<Status>, P4Error> {
    if let Some(settings) = &ws.perforce {
        return confirm(&P4::new(settings), &ws.fusion_repo, push_id, patience.keys).map(Some);
    }
    if wait_url(ws.fusion_remote.as_git_arg(), &ws.fusion_repo, push_id).is_none() {
        return Ok(None);
    }
    let (remote, repo) = (&ws.fusion_remote, &ws.fusion_repo);
    Ok(Some(confirm_via_wait(git, remote, repo, push_id, patience.wait)))
}

/// Returns the keys of `repo`'s pushes (`git-fusion-status-<repo>*`).
pub fn status_keys(p4: &P4, repo: &str) -> Result<Vec<(String, String)>, P4Error> {
    p4.keys(&format!("git-fusion-status-{}*", encode_repo_name(repo)))
}

/// Polls Git Fusion's keys for push `push_id` until a verdict, or `timeout` (then `Unknown`).
pub fn confirm(p4: &P4, repo: &str, push_id: u64, timeout: Duration) -> Result<Status, P4Error> {
    let deadline = Instant::now() + timeout;
    loop {
        let status = judge(&status_keys(p4, repo)?, repo, push_id);
        if status != Status::Unknown || Instant::now() >= deadline {
            return Ok(status);
        }
        // Git Fusion writes the keys from a background process; there is nothing to wait on.
        std::thread::sleep(Duration::from_millis(200).min(deadline - Instant::now()));
    }
}

/// Asks Git Fusion itself about push `push_id` through `@wait` (no `[perforce]` needed),
/// giving up after `timeout`.
pub fn confirm_via_wait(
    git: &Git,
    remote: &RemoteUrl,
    repo: &str,
    push_id: u64,
    timeout: Duration,
) -> Status {
    let Some(url) = wait_url(remote.as_git_arg(), repo, push_id) else { return Status::Unknown };
    let args = [std::ffi::OsString::from("ls-remote"), url.into()];
    // Settling a push that happened: a first SIGINT or SIGTERM lets it finish.
    let git = git.for_remote(remote).finishing();
    let Ok(mut child) = git.spawn(&mut git.command(None, &args)) else {
        return Status::Unknown;
    };
    let deadline = Instant::now() + timeout;
    // @wait blocks until the push finishes; a hung server must not hang the run.
    while child.child().try_wait().ok().flatten().is_none() {
        if Instant::now() >= deadline {
            let _ = child.child().kill();
            let _ = child.child().wait();
            return Status::Unknown;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let Ok(output) = child.wait_with_output() else { return Status::Unknown };
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    judge_wait_output(&text, push_id)
}
