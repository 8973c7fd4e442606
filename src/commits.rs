//! Reading outgoing commits in-process with git2: parents, author, and the entries a commit
//! adds or changes against its first parent. Used by the preflight; one diff per commit.
//!
//! Must not judge what it reads (the rules are `fusion::preflight`).

use git2::{Delta, DiffOptions, FileMode, Repository};

use crate::oid::Oid;

/// What the preflight needs to know about one commit.
#[derive(Clone, Debug)]
pub struct CommitInfo {
    /// Number of parents (more than one: a merge).
    pub parents: usize,
    /// Author name.
    pub author_name: String,
    /// Author email, without angle brackets.
    pub author_email: String,
    /// Entries added or changed against the first parent.
    pub changes: Vec<Change>,
}

/// One entry a commit adds or changes.
#[derive(Clone, Debug)]
pub struct Change {
    /// The path, as bytes (git paths need not be UTF-8).
    pub path: Vec<u8>,
    /// True when the entry is new in this commit.
    pub added: bool,
    /// True for a gitlink (submodule, mode 160000).
    pub gitlink: bool,
}

/// Returns what `oid` adds and who wrote it.
pub fn inspect(repo: &Repository, oid: Oid) -> Result<CommitInfo, git2::Error> {
    let commit = repo.find_commit(oid.raw())?;
    let tree = commit.tree()?;
    let parent_tree = match commit.parent_count() {
        0 => None,
        _ => Some(commit.parent(0)?.tree()?),
    };
    let mut opts = DiffOptions::new();
    // No content is read: only tree entries are compared, as `git log --raw --no-renames`.
    opts.skip_binary_check(true).ignore_submodules(false).include_typechange(true);
    let diff = repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), Some(&mut opts))?;
    let changes = diff
        .deltas()
        .filter(|d| matches!(d.status(), Delta::Added | Delta::Modified | Delta::Typechange))
        .filter_map(|d| {
            let file = d.new_file();
            Some(Change {
                path: file.path_bytes()?.to_vec(),
                added: d.status() == Delta::Added,
                gitlink: file.mode() == FileMode::Commit,
            })
        })
        .collect();
    let author = commit.author();
    Ok(CommitInfo {
        parents: commit.parent_count(),
        author_name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        author_email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
        changes,
    })
}

/// Returns another path in `oid`'s tree equal to `path` but for letter case, if any.
pub fn case_twin(repo: &Repository, oid: Oid, path: &[u8]) -> Result<Option<String>, git2::Error> {
    let mut tree = repo.find_commit(oid.raw())?.tree()?;
    let components: Vec<&[u8]> = path.split(|b| *b == b'/').collect();
    let mut prefix: Vec<u8> = Vec::new();
    for (i, name) in components.iter().enumerate() {
        let twin = tree
            .iter()
            .find(|e| e.name_bytes() != *name && e.name_bytes().eq_ignore_ascii_case(name))
            .map(|e| e.name_bytes().to_vec());
        if let Some(twin) = twin {
            let mut other = prefix.clone();
            other.extend_from_slice(&twin);
            return Ok(Some(String::from_utf8_lossy(&other).into_owned()));
        }
        if i + 1 == components.len() {
            break;
        }
        let Some(id) = tree.get_name_bytes(name).map(|e| e.id()) else { return Ok(None) };
        let next = repo.find_tree(id)?;
        prefix.extend_from_slice(name);
        prefix.push(b'/');
        tree = next;
    }
    Ok(None)
}

/// Returns the author `(name, email)` of `oid`, without reading its tree.
pub fn author(repo: &Repository, oid: Oid) -> Result<(String, String), git2::Error> {
    let commit = repo.find_commit(oid.raw())?;
    let author = commit.author();
    Ok((
        String::from_utf8_lossy(author.name_bytes()).into_owned(),
        String::from_utf8_lossy(author.email_bytes()).into_owned(),
    ))
}
