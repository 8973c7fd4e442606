//! Reading outgoing commits in-process with git2: parents, author, and the entries a commit
//! adds or changes against its first parent. Used by the preflight; one diff per commit.
//!
//! Must not judge what it reads (the rules are `fusion::preflight`).

use std::collections::HashMap;

use git2::{FileMode, ObjectType, Repository, Sort, Tree};

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

/// Reads commits for the preflight: what each adds, and case twins of its paths.
///
/// Commits are best read newest first: a commit's parent trees are then the trees the
/// previous (child) commit just read, handed over here instead of read again from the pack,
/// where libgit2 re-applies delta chains. Only two commits' trees are held at a time.
pub struct Trees<'r> {
    repo: &'r Repository,
    current: HashMap<git2::Oid, Tree<'r>>,
    previous: HashMap<git2::Oid, Tree<'r>>,
}

impl<'r> Trees<'r> {
    /// Returns a reader over `repo`.
    pub fn new(repo: &'r Repository) -> Trees<'r> {
        Trees { repo, current: HashMap::new(), previous: HashMap::new() }
    }

    /// Returns tree `id`, from the last two commits' trees when it was read there.
    fn tree(&mut self, id: git2::Oid) -> Result<Tree<'r>, git2::Error> {
        if let Some(tree) = self.current.get(&id).or_else(|| self.previous.get(&id)) {
            return Ok(tree.clone());
        }
        let tree = self.repo.find_tree(id)?;
        self.current.insert(id, tree.clone());
        Ok(tree)
    }

    /// Returns what commit `oid` adds and who wrote it.
    pub fn inspect(&mut self, oid: Oid) -> Result<CommitInfo, git2::Error> {
        self.previous = std::mem::take(&mut self.current);
        let commit = self.repo.find_commit(oid.raw())?;
        let tree = self.tree(commit.tree_id())?;
        let parent_tree = match commit.parent_count() {
            0 => None,
            _ => Some(self.tree(self.repo.find_commit(commit.parent_id(0)?)?.tree_id())?),
        };
        let mut changes = Vec::new();
        self.compare(parent_tree.as_ref(), &tree, &mut Vec::new(), &mut changes)?;
        let author = commit.author();
        Ok(CommitInfo {
            parents: commit.parent_count(),
            author_name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
            author_email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
            changes,
        })
    }

    /// Appends the entries `new` adds or changes against `old` to `out`, as `git diff-tree -r
    /// --no-renames` lists them: a subtree whose id is unchanged is never read. (libgit2's
    /// tree-to-tree diff walks whole trees; it made a 100,000-commit preflight take minutes.)
    fn compare(
        &mut self,
        old: Option<&Tree>,
        new: &Tree,
        prefix: &mut Vec<u8>,
        out: &mut Vec<Change>,
    ) -> Result<(), git2::Error> {
        for entry in new.iter() {
            let before = old.and_then(|t| t.get_name_bytes(entry.name_bytes()));
            if before
                .as_ref()
                .is_some_and(|b| b.id() == entry.id() && b.filemode() == entry.filemode())
            {
                continue;
            }
            let depth = prefix.len();
            prefix.extend_from_slice(entry.name_bytes());
            if entry.kind() == Some(ObjectType::Tree) {
                let old_subtree = match &before {
                    Some(b) if b.kind() == Some(ObjectType::Tree) => Some(self.tree(b.id())?),
                    _ => None,
                };
                prefix.push(b'/');
                let new_subtree = self.tree(entry.id())?;
                self.compare(old_subtree.as_ref(), &new_subtree, prefix, out)?;
            } else {
                let added = before.as_ref().is_none_or(|b| b.kind() == Some(ObjectType::Tree));
                let gitlink = entry.filemode() == i32::from(FileMode::Commit);
                out.push(Change { path: prefix.clone(), added, gitlink });
            }
            prefix.truncate(depth);
        }
        Ok(())
    }

    /// Returns another path in commit `oid`'s tree equal to `path` but for letter case.
    pub fn case_twin(&mut self, oid: Oid, path: &[u8]) -> Result<Option<String>, git2::Error> {
        let mut tree = self.tree(self.repo.find_commit(oid.raw())?.tree_id())?;
        let components: Vec<&[u8]> = path.split(|b| *b == b'/').collect();
        let mut prefix: Vec<u8> = Vec::new();
        for (i, name) in components.iter().enumerate() {
            let twin = tree
                .iter()
                .find(|e| e.name_bytes() != *name && e.name_bytes().eq_ignore_ascii_case(name))
                .map(|e| e.name_bytes().to_vec());
            if let Some(twin) = twin {
                prefix.extend_from_slice(&twin);
                return Ok(Some(String::from_utf8_lossy(&prefix).into_owned()));
            }
            let next = tree
                .get_name_bytes(name)
                .filter(|e| e.kind() == Some(ObjectType::Tree))
                .map(|e| e.id());
            match next {
                Some(id) if i + 1 < components.len() => tree = self.tree(id)?,
                _ => return Ok(None),
            }
            prefix.extend_from_slice(name);
            prefix.push(b'/');
        }
        Ok(None)
    }
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

/// Returns the commits of `repo` reachable from `include` but not from `exclude`, oldest
/// first (parents before children).
pub fn between(
    repo: &Repository,
    include: &[Oid],
    exclude: &[Oid],
) -> Result<Vec<Oid>, git2::Error> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    for oid in include {
        walk.push(oid.raw())?;
    }
    for oid in exclude {
        walk.hide(oid.raw())?;
    }
    walk.map(|r| r.map(Oid::from)).collect()
}
