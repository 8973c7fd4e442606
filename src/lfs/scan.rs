//! Finding the LFS pointers among the blobs outgoing commits add or change: each blob's size
//! is read from its header, and only blobs small enough to be a pointer are read whole.
//! Also reads a commit's own `.gitattributes` files for Git Fusion's tracking rule.
//!
//! Reads the cache with git2; must not judge what it finds (the rules are
//! `fusion::preflight` and `sync`).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use git2::{ObjectType, Repository};

use super::attributes::LfsLines;
use super::pointer::{parse_fusion, parse_spec, FusionPointer, Pointer, FUSION_MAX_BYTES};
use super::transfer::Needed;
use crate::commits::InspectError;
use crate::git::log::{for_each_commit, Range};
use crate::git::Git;
use crate::oid::Oid;

/// What a blob is, as a pointer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Found {
    /// The pointer by the Git LFS specification (what is copied, what GitLab checks).
    pub spec: Option<Pointer>,
    /// What Git Fusion reads in it.
    pub fusion: Option<FusionPointer>,
}

/// Reads blobs and `.gitattributes` files from one repository.
pub struct Blobs<'r> {
    repo: &'r Repository,
    odb: git2::Odb<'r>,
    /// The `.gitattributes` LFS lines of the commit last asked about, by directory.
    attributes: Option<(Oid, HashMap<String, LfsLines>)>,
}

impl<'r> Blobs<'r> {
    /// Returns a reader over `repo`.
    pub fn new(repo: &'r Repository) -> Result<Blobs<'r>, git2::Error> {
        Ok(Blobs { repo, odb: repo.odb()?, attributes: None })
    }

    /// Returns what blob `id` is as a pointer; a blob larger than any pointer is not read.
    pub fn pointer(&self, id: Oid) -> Result<Found, git2::Error> {
        let (size, kind) = self.odb.read_header(id.raw())?;
        if kind != ObjectType::Blob || size as u64 > FUSION_MAX_BYTES {
            return Ok(Found::default());
        }
        let object = self.odb.read(id.raw())?;
        let data = object.data();
        Ok(Found { spec: parse_spec(data), fusion: parse_fusion(data) })
    }

    /// Returns the LFS lines of `dir/.gitattributes` (`dir` empty: the root) in `commit`.
    pub fn attributes(&mut self, commit: Oid, dir: &str) -> Result<LfsLines, git2::Error> {
        if self.attributes.as_ref().is_none_or(|(c, _)| *c != commit) {
            self.attributes = Some((commit, HashMap::new()));
        }
        let (_, known) = self.attributes.as_mut().expect("just set");
        if let Some(lines) = known.get(dir) {
            return Ok(lines.clone());
        }
        let tree = self.repo.find_commit(commit.raw())?.tree()?;
        let path = if dir.is_empty() {
            ".gitattributes".to_string()
        } else {
            format!("{dir}/.gitattributes")
        };
        let lines = match tree.get_path(std::path::Path::new(&path)) {
            Ok(entry) if entry.kind() == Some(ObjectType::Blob) => {
                LfsLines::parse(self.repo.find_blob(entry.id())?.content())
            }
            Ok(_) => LfsLines::default(),
            Err(e) if e.code() == git2::ErrorCode::NotFound => LfsLines::default(),
            Err(e) => return Err(e),
        };
        known.insert(dir.to_string(), lines.clone());
        Ok(lines)
    }

    /// Returns whether Git Fusion counts `path` as tracked by LFS in `commit`.
    pub fn is_tracked(&mut self, commit: Oid, path: &str) -> Result<bool, git2::Error> {
        let mut failure = None;
        let tracked = super::attributes::is_tracked(path, |dir| {
            self.attributes(commit, dir).unwrap_or_else(|e| {
                failure.get_or_insert(e);
                LfsLines::default()
            })
        });
        match failure {
            Some(e) => Err(e),
            None => Ok(tracked),
        }
    }
}

/// Returns the commits of `range`, oldest first as git reads them, and the objects the
/// specification's pointers in them name, first sighting first: what GitLab checks before it
/// takes a push, and what is copied when Git Fusion's settings are not known. One
/// `git log --raw` pass (`git_dir` `None`: the repository git's environment names, as in a
/// hook).
pub fn spec_pointers(
    git: &Git,
    git_dir: Option<&Path>,
    repo: &Repository,
    range: &Range,
) -> Result<(Vec<Oid>, Vec<Needed>), InspectError> {
    let unreadable = InspectError::git;
    let blobs = Blobs::new(repo).map_err(|e| unreadable(None, e))?;
    let mut needed: Vec<Needed> = Vec::new();
    let mut seen = HashSet::new();
    let mut commits = Vec::new();
    for_each_commit(git, git_dir, range, |oid, info| {
        commits.push(oid);
        for change in info.changes.iter().filter(|c| c.regular) {
            let Some(blob) = change.blob else { continue };
            let found = blobs.pointer(blob).map_err(|e| unreadable(Some(oid), e))?;
            if let Some(pointer) = found.spec.filter(|p| seen.insert(p.oid)) {
                let path = String::from_utf8_lossy(&change.path).into_owned();
                needed.push(Needed { pointer, commit: oid, path, copyable: true });
            }
        }
        Ok::<(), InspectError>(())
    })?;
    Ok((commits, needed))
}
