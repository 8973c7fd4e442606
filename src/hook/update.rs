//! The pure part of the pre-receive hook (docs/hook.md): reading git's `<old> <new> <ref>` lines and
//! deciding, per ref, whether it passes untouched, is refused outright, or goes to Git Fusion.
//!
//! Must not read objects or talk to a remote; ancestry comes in as a closure.

use crate::config::pattern::any_match;
use crate::config::Workspace;
use crate::oid::Oid;
use crate::refname::{BranchName, TagName};

/// One line of pre-receive input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefUpdate {
    /// The ref's value before the push (`None`: it is being created).
    pub old: Option<Oid>,
    /// The value pushed (`None`: it is being deleted).
    pub new: Option<Oid>,
    /// The full ref name.
    pub refname: String,
}

impl RefUpdate {
    /// Returns the tag name for `refs/tags/…` refs.
    pub fn tag(&self) -> Option<TagName> {
        TagName::from_full(&self.refname).and_then(Result::ok)
    }

    /// Returns the branch name for `refs/heads/…` refs (git's receive-pack has already
    /// refused names it does not accept).
    pub fn branch(&self) -> Option<BranchName> {
        BranchName::from_full(&self.refname).and_then(Result::ok)
    }
}

/// What the hook does with one ref.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Not a mirrored branch: accepted without a word.
    PassThrough,
    /// Refused before Git Fusion is contacted, with the reason.
    Refuse(String),
    /// A mirrored branch moving forward: preflight, then the proxied push.
    Proxy {
        /// The branch name.
        branch: BranchName,
        /// The value Git Fusion must still have (`None`: a new branch).
        expected: Option<Oid>,
        /// The commit to push.
        new: Oid,
    },
    /// A new mirrored tag: created on Git Fusion in the same proxied push.
    ProxyTag {
        /// The tag name.
        tag: TagName,
        /// The object the tag names (its tag object, when annotated).
        new: Oid,
    },
}

/// The error for input git would never send.
#[derive(Debug, thiserror::Error)]
#[error("unreadable pre-receive input line `{0}` (expected `<old> <new> <ref>`)")]
pub struct BadLine(String);

/// Parses pre-receive input: one `<old> <new> <ref>` per line; all-zero ids mean absent.
pub fn parse(input: &str) -> Result<Vec<RefUpdate>, BadLine> {
    input.lines().filter(|l| !l.trim().is_empty()).map(parse_line).collect()
}

fn parse_line(line: &str) -> Result<RefUpdate, BadLine> {
    let bad = || BadLine(line.to_string());
    let mut words = line.split_whitespace();
    let (Some(old), Some(new), Some(refname), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return Err(bad());
    };
    let id = |text: &str| -> Result<Option<Oid>, BadLine> {
        if text.bytes().all(|b| b == b'0') {
            return Ok(None);
        }
        text.parse().map(Some).map_err(|_| bad())
    };
    Ok(RefUpdate { old: id(old)?, new: id(new)?, refname: refname.to_string() })
}

/// Decides what happens to `update`; `descends(old, new)` says whether `new` contains `old`.
pub fn judge(ws: &Workspace, update: &RefUpdate, descends: impl Fn(Oid, Oid) -> bool) -> Verdict {
    if let Some(tag) = update.tag().filter(|t| any_match(&ws.tags, t)) {
        return judge_tag(update, tag);
    }
    let Some(branch) = update.branch().filter(|b| any_match(&ws.branches, b)) else {
        return Verdict::PassThrough;
    };
    let Some(new) = update.new else {
        return Verdict::Refuse(format!(
            "{}: deleting a mirrored branch is not allowed (Git Fusion keeps it)",
            update.refname
        ));
    };
    if let Some(old) = update.old.filter(|old| *old != new && !descends(*old, new)) {
        return Verdict::Refuse(format!(
            "{}: force pushes are not allowed on this branch ({} is not an ancestor of {}); \
             Perforce history cannot be rewritten — pull, merge or rebase on top, and push again",
            update.refname,
            old.short(),
            new.short()
        ));
    }
    Verdict::Proxy { branch, expected: update.old, new }
}

/// Decides what happens to a mirrored tag (docs/tags.md): never moved, never deleted; a new
/// one goes to Git Fusion unless its name would make Git Fusion refuse the whole push.
fn judge_tag(update: &RefUpdate, tag: TagName) -> Verdict {
    let Some(new) = update.new else {
        return Verdict::Refuse(format!(
            "{}: deleting a mirrored tag is not allowed (tags are never deleted on either side)",
            update.refname
        ));
    };
    if update.old.is_some() {
        return Verdict::Refuse(format!(
            "{}: moving a mirrored tag is not allowed (tags never move); make a new tag instead",
            update.refname
        ));
    }
    if let Some(refusal) = crate::fusion::tags::name_refusal(&tag) {
        return Verdict::Refuse(format!(
            "{}: Git Fusion refuses this name ({refusal}); choose another",
            update.refname
        ));
    }
    Verdict::ProxyTag { tag, new }
}
