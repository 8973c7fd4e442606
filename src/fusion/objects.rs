//! Git Fusion's record of each commit it copied to Perforce (docs/audit.md): an object file
//! `//.git-fusion/objects/repos/<repo>/commits/<s[0:2]>/<s[2:4]>/<s[4:]>-<branch id>,<change>`,
//! named by the commit's SHA-1, Git Fusion's branch id and the changelist holding the commit's
//! files. Pure: the depot path to ask `p4 files` for, and reading the answer's paths.
//!
//! Must not run `p4`: that is `perforce`.

use std::collections::HashMap;

use super::p4gf_config::encode_repo_name;
use crate::oid::Oid;

/// Returns the depot path that lists every object file of `commit` in `repo` (`*` in place of
/// `<branch id>,<change>`), as Git Fusion's own `commits_for_sha1` asks.
pub fn commit_pattern(repo: &str, commit: Oid) -> String {
    let s = commit.to_string();
    format!(
        "//.git-fusion/objects/repos/{}/commits/{}/{}/{}-*",
        encode_repo_name(repo),
        &s[0..2],
        &s[2..4],
        &s[4..]
    )
}

/// One object file, read from its depot path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitObject {
    /// The commit it records.
    pub commit: Oid,
    /// Git Fusion's branch id.
    pub branch_id: String,
    /// The changelist that holds the commit's files.
    pub change: u64,
}

/// Returns the commit object a depot path names, or `None` for a path that is not one.
///
/// The branch id may itself hold `-` (Git Fusion's lightweight ids are UUIDs), so the name is
/// split where the SHA-1's 36 remaining digits end, and the change after the last `,`.
pub fn parse_object_path(depot_path: &str) -> Option<CommitObject> {
    let (folders, name) = depot_path.rsplit_once('/')?;
    let mut parts = folders.rsplit('/');
    let (b, a) = (parts.next()?, parts.next()?);
    if parts.next() != Some("commits") || name.len() < 38 || !name.is_char_boundary(36) {
        return None;
    }
    let (rest, tail) = name.split_at(36);
    let commit: Oid = format!("{a}{b}{rest}").parse().ok()?;
    let (branch_id, change) = tail.strip_prefix('-')?.rsplit_once(',')?;
    let change = change.parse().ok()?;
    Some(CommitObject { commit, branch_id: branch_id.to_string(), change })
}

/// Returns, per commit, the changelist Git Fusion reads it from: the highest change number
/// when several branches hold the commit (`sha1_to_change_num`).
pub fn change_per_commit(objects: impl IntoIterator<Item = CommitObject>) -> HashMap<Oid, u64> {
    let mut changes: HashMap<Oid, u64> = HashMap::new();
    for object in objects {
        let change = changes.entry(object.commit).or_insert(object.change);
        *change = (*change).max(object.change);
    }
    changes
}
