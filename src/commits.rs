//! What the preflight knows of a commit (`CommitInfo`, which `git::log` parses from
//! `git log --raw`, re-exported here), and the few in-process reads with git2: case twins in a commit's whole tree,
//! a commit's author, and the commits between tips.
//!
//! Must not judge what it reads (the rules are `fusion::preflight`).

use std::collections::HashMap;

use git2::{ObjectType, Repository, Sort, Tree};

use crate::git::log::LogError;
pub use crate::git::log::{Change, CommitInfo, Range};
use crate::oid::Oid;
use crate::refname::BranchName;

/// A commit the preflight (or the LFS scan) could not read.
#[derive(Debug, thiserror::Error)]
#[error("preflight: cannot read {}: {source}", commit.map_or_else(|| "the outgoing commits".to_string(), |c| format!("commit {c}")))]
pub struct InspectError {
    /// The commit, when the failure concerns one.
    pub commit: Option<Oid>,
    /// What git or libgit2 said.
    #[source]
    pub source: InspectCause,
}

/// Why a commit could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InspectCause {
    /// The `git log` child failed or printed what gfbridge cannot read.
    #[error(transparent)]
    Log(#[from] LogError),
    /// libgit2 could not read an object.
    #[error(transparent)]
    Git(#[from] crate::git::Libgit),
}

impl InspectError {
    /// Returns the error for what libgit2 said about `commit`.
    pub fn git(commit: Option<Oid>, e: git2::Error) -> Self {
        InspectError { commit, source: InspectCause::Git(e.into()) }
    }
}

impl From<LogError> for InspectError {
    fn from(e: LogError) -> Self {
        InspectError { commit: None, source: e.into() }
    }
}

/// Reads whole trees for case twins; consecutive commits share most subtrees, so the last
/// two commits' trees are kept.
pub struct Trees<'r> {
    repo: &'r Repository,
    commit: Option<Oid>,
    current: HashMap<git2::Oid, Tree<'r>>,
    previous: HashMap<git2::Oid, Tree<'r>>,
}

impl<'r> Trees<'r> {
    /// Returns a reader over `repo`.
    pub fn new(repo: &'r Repository) -> Trees<'r> {
        Trees { repo, commit: None, current: HashMap::new(), previous: HashMap::new() }
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

    /// Returns another file in commit `oid`'s tree whose whole path equals `path` but for
    /// letter case (Unicode lower case, as Git Fusion's `monocase`). Directories that differ
    /// only in case are no conflict by themselves: Git Fusion compares whole paths
    /// (`p4gf_case_conflict_checker.py`).
    pub fn case_twin(&mut self, oid: Oid, path: &[u8]) -> Result<Option<String>, git2::Error> {
        if self.commit != Some(oid) {
            // Only the last two commits' trees are kept: memory stays bounded.
            self.previous = std::mem::take(&mut self.current);
            self.commit = Some(oid);
        }
        let root = self.tree(self.repo.find_commit(oid.raw())?.tree_id())?;
        let components: Vec<&[u8]> = path.split(|b| *b == b'/').collect();
        let mut found = Vec::new();
        self.same_but_case(&root, &components, Vec::new(), &mut found)?;
        Ok(found
            .into_iter()
            .find(|p| p.as_slice() != path)
            .map(|p| String::from_utf8_lossy(&p).into_owned()))
    }

    /// Collects into `found` every file under `tree` whose path equals `rest` but for case.
    fn same_but_case(
        &mut self,
        tree: &Tree<'r>,
        rest: &[&[u8]],
        prefix: Vec<u8>,
        found: &mut Vec<Vec<u8>>,
    ) -> Result<(), git2::Error> {
        let Some((name, rest)) = rest.split_first() else { return Ok(()) };
        let wanted = String::from_utf8_lossy(name).to_lowercase();
        let matching: Vec<(Vec<u8>, Option<ObjectType>, git2::Oid)> = tree
            .iter()
            .filter(|e| String::from_utf8_lossy(e.name_bytes()).to_lowercase() == wanted)
            .map(|e| (e.name_bytes().to_vec(), e.kind(), e.id()))
            .collect();
        for (entry, kind, id) in matching {
            let mut path = prefix.clone();
            path.extend_from_slice(&entry);
            match (rest.is_empty(), kind) {
                (true, Some(ObjectType::Tree)) => {}
                (true, _) => found.push(path),
                (false, Some(ObjectType::Tree)) => {
                    path.push(b'/');
                    let subtree = self.tree(id)?;
                    self.same_but_case(&subtree, rest, path, found)?;
                }
                (false, _) => {}
            }
        }
        Ok(())
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

/// Returns the commits of `range` in `repo`, oldest first (parents before children), for
/// callers that do not read them with `git log` anyway (`git::log::for_each_commit` lists
/// them as it goes, in git's order).
pub fn between(repo: &Repository, range: &Range) -> Result<Vec<Oid>, git2::Error> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    for oid in &range.include {
        walk.push(oid.raw())?;
    }
    for oid in &range.exclude {
        walk.hide(oid.raw())?;
    }
    walk.map(|r| r.map(Oid::from)).collect()
}

/// Where a new branch's first outgoing commit grows from, for the view Git Fusion gives a
/// branch no section defines (docs/git-fusion.md).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Growth {
    /// A root commit: Git Fusion takes the first branch section's view.
    Root,
    /// Its first parent, which these branches of Git Fusion contain (none: unknown).
    From(Vec<BranchName>),
}

/// Returns where `first` (the oldest commit of a new branch) grows from among `tips`, the
/// branches Git Fusion has: the ones that contain its first parent.
pub fn growth<'t>(
    repo: &Repository,
    first: Oid,
    tips: impl IntoIterator<Item = (&'t BranchName, Oid)>,
) -> Result<Growth, git2::Error> {
    let commit = repo.find_commit(first.raw())?;
    let Some(parent) = commit.parent_ids().next() else { return Ok(Growth::Root) };
    let mut found = Vec::new();
    for (name, tip) in tips {
        if tip.raw() == parent || repo.graph_descendant_of(tip.raw(), parent)? {
            found.push(name.clone());
        }
    }
    Ok(Growth::From(found))
}
