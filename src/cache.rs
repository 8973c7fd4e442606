//! The workspace's bare cache repository: objects from both remotes, their last seen tips and
//! the bases (docs/output.md), read and written in-process with git2.
//!
//! Owns the ref layout inside the cache and the commit-graph questions the planner asks.
//! Must not talk to remotes (that is `git::remote`) or decide actions (that is `plan`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Once;

use git2::Repository;

use crate::git::log::Range;
use crate::oid::Oid;
use crate::plan::{Ancestry, Side};
use crate::refname::{BranchName, TagName};

/// Where the cache keeps its copy of each remote's branches, and the bases.
const GITLAB_NS: &str = "refs/gfbridge/gitlab/";
const FUSION_NS: &str = "refs/gfbridge/fusion/";
const BASE_NS: &str = "refs/gfbridge/base/";
/// Where tags are kept: each side's copy of a tag a run must push, and the object each tag
/// had when it was last seen on both sides (so a deletion is told from a new tag).
const GITLAB_TAGS_NS: &str = "refs/gfbridge/gitlab-tags/";
const FUSION_TAGS_NS: &str = "refs/gfbridge/fusion-tags/";
const TAG_SEEN_NS: &str = "refs/gfbridge/tag-seen/";
/// Where a webhook's announced branches are fetched ahead of the listing (never planned from:
/// they only keep the objects that spare the run a second round trip).
pub const PREFETCH_NS: &str = "refs/gfbridge/prefetch/";

/// The error returned by cache operations; each names the cache and what was asked.
#[derive(Debug, thiserror::Error)]
#[error(
    "cache {path}: {action}: {source} (the cache can be deleted safely; the next run rebuilds it)"
)]
pub struct CacheError {
    path: PathBuf,
    action: String,
    #[source]
    source: CacheCause,
}

/// What failed under a cache operation.
#[derive(Debug, thiserror::Error)]
enum CacheCause {
    /// libgit2.
    #[error(transparent)]
    Git(#[from] crate::git::Libgit),
    /// The file system.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// A workspace's bare cache repository.
pub struct Cache {
    path: PathBuf,
    repo: Repository,
}

impl Cache {
    /// Returns the cache at `path`, creating an empty bare repository there if needed.
    pub fn open_or_init(path: &Path) -> Result<Cache, CacheError> {
        let err = |action: &str, e: git2::Error| CacheError {
            path: path.to_path_buf(),
            action: action.into(),
            source: CacheCause::Git(e.into()),
        };
        let repo = match Repository::open_bare(path) {
            Ok(repo) => repo,
            Err(_) if !path.join("HEAD").exists() => {
                Repository::init_bare(path).map_err(|e| err("create bare repository", e))?
            }
            Err(e) => return Err(err("open", e)),
        };
        Ok(Cache { path: path.to_path_buf(), repo })
    }

    /// Returns the cache at `path` if one exists there; creates nothing (for read-only checks).
    pub fn open_existing(path: &Path) -> Option<Cache> {
        let repo = Repository::open_bare(path).ok()?;
        Some(Cache { path: path.to_path_buf(), repo })
    }

    /// Returns the libgit2 handle, for in-process analysis of the cache's commits.
    pub fn repo(&self) -> &Repository {
        &self.repo
    }

    /// Returns the cache's directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn fail(&self, action: impl Into<String>, e: git2::Error) -> CacheError {
        CacheError {
            path: self.path.clone(),
            action: action.into(),
            source: CacheCause::Git(e.into()),
        }
    }

    /// Returns the namespace that holds the cache's copy of `side`'s branches.
    pub fn namespace(side: Side) -> &'static str {
        match side {
            Side::Gitlab => GITLAB_NS,
            Side::Fusion => FUSION_NS,
        }
    }

    /// Returns the namespace that holds the cache's copy of `side`'s tags.
    pub fn tag_namespace(side: Side) -> &'static str {
        match side {
            Side::Gitlab => GITLAB_TAGS_NS,
            Side::Fusion => FUSION_TAGS_NS,
        }
    }

    /// Returns the kind of object `oid` (commit, tree, blob, tag), or `None` when the cache
    /// does not hold it.
    pub fn object_kind(&self, oid: Oid) -> Option<git2::ObjectType> {
        let odb = self.repo.odb().ok()?;
        odb.read_header(oid.raw()).ok().map(|(_, kind)| kind)
    }

    /// Returns the object `tag` had when it was last seen equal on both sides.
    pub fn tag_seen(&self, tag: &TagName) -> Result<Option<Oid>, CacheError> {
        self.read_ref(&format!("{TAG_SEEN_NS}{tag}"))
    }

    /// Records that `tag` was seen on both sides as `oid`.
    pub fn set_tag_seen(&self, tag: &TagName, oid: Oid) -> Result<(), CacheError> {
        if self.tag_seen(tag)? == Some(oid) {
            return Ok(());
        }
        self.write_ref(&format!("{TAG_SEEN_NS}{tag}"), oid, "tag seen on both sides")
    }

    /// Returns true when the cache holds commit `oid`.
    pub fn has_commit(&self, oid: Oid) -> bool {
        self.repo.find_commit(oid.raw()).is_ok()
    }

    /// Returns what the cache's refs point at. A ref is moved only once everything it
    /// reaches has arrived, so each of these has its whole history here; a commit that is
    /// merely present may be the leftover of a fetch stopped halfway, its trees and blobs
    /// missing.
    pub fn ref_tips(&self) -> Result<HashSet<Oid>, CacheError> {
        let refs = self.repo.references().map_err(|e| self.fail("list refs", e))?;
        let mut tips = HashSet::new();
        for reference in refs {
            let reference = reference.map_err(|e| self.fail("read a ref", e))?;
            tips.extend(reference.target().map(Oid::from));
        }
        Ok(tips)
    }

    /// Returns the base of `branch`, if one was recorded.
    pub fn base(&self, branch: &BranchName) -> Result<Option<Oid>, CacheError> {
        self.read_ref(&format!("{BASE_NS}{branch}"))
    }

    /// Records `oid` as the base of `branch`.
    pub fn set_base(&self, branch: &BranchName, oid: Oid) -> Result<(), CacheError> {
        self.write_ref(&format!("{BASE_NS}{branch}"), oid, "base")
    }

    /// Returns the cache's copy of `side`'s tip of `branch`.
    pub fn tracked(&self, side: Side, branch: &BranchName) -> Result<Option<Oid>, CacheError> {
        self.read_ref(&format!("{}{branch}", Self::namespace(side)))
    }

    /// Records `oid` as `side`'s tip of `branch`, keeping its commits in the cache.
    pub fn track(&self, side: Side, branch: &BranchName, oid: Oid) -> Result<(), CacheError> {
        if self.tracked(side, branch)? == Some(oid) {
            return Ok(());
        }
        self.write_ref(&format!("{}{branch}", Self::namespace(side)), oid, "track")
    }

    fn read_ref(&self, name: &str) -> Result<Option<Oid>, CacheError> {
        match self.repo.refname_to_id(name) {
            Ok(oid) => Ok(Some(oid.into())),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(self.fail(format!("read {name}"), e)),
        }
    }

    fn write_ref(&self, name: &str, oid: Oid, why: &str) -> Result<(), CacheError> {
        self.repo
            .reference(name, oid.raw(), true, why)
            .map(drop)
            .map_err(|e| self.fail(format!("write {name}"), e))
    }

    /// Deletes every ref under `prefix` (best effort: what remains is only a leftover).
    pub fn drop_refs(&self, prefix: &str) {
        let Ok(refs) = self.repo.references_glob(&format!("{prefix}*")) else { return };
        for mut reference in refs.flatten() {
            let _ = reference.delete();
        }
    }

    /// Returns true when the cache holds no refs at all (new, or deleted and recreated).
    pub fn is_empty(&self) -> Result<bool, CacheError> {
        let mut refs = self.repo.references().map_err(|e| self.fail("list refs", e))?;
        Ok(refs.next().is_none())
    }

    /// Moves the pack files of the bare repository at `other` into the cache, then returns
    /// the tip of `branch` there. The pack index goes last: git treats a pack as present
    /// once its index exists.
    pub fn adopt_packs(
        &self,
        other: &Path,
        branch: &BranchName,
    ) -> Result<Option<Oid>, CacheError> {
        let io = |action: &str, e: std::io::Error| CacheError {
            path: self.path.clone(),
            action: action.into(),
            source: CacheCause::Io(e),
        };
        let from = other.join("objects/pack");
        let to = self.path.join("objects/pack");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&from)
            .map_err(|e| io("read seed packs", e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .collect();
        files.sort_by_key(|p| p.extension().is_some_and(|x| x == "idx"));
        std::fs::create_dir_all(&to).map_err(|e| io("create pack dir", e))?;
        for file in files {
            let name = file.file_name().expect("read_dir entries have names");
            std::fs::rename(&file, to.join(name)).map_err(|e| io("adopt seed pack", e))?;
        }
        self.repo.odb().and_then(|odb| odb.refresh()).map_err(|e| self.fail("reload packs", e))?;
        let seed = Repository::open_bare(other).map_err(|e| self.fail("open seed clone", e))?;
        match seed.refname_to_id(&format!("refs/heads/{branch}")) {
            Ok(oid) => Ok(Some(oid.into())),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(self.fail("read seed clone", e)),
        }
    }

    /// Returns the commits of `range`, oldest first.
    pub fn commits_between(&self, range: &Range) -> Result<Vec<Oid>, CacheError> {
        crate::commits::between(&self.repo, range).map_err(|e| self.fail("list commits", e))
    }
}

impl Ancestry for Cache {
    type Error = CacheError;

    fn is_ancestor(&self, ancestor: Oid, descendant: Oid) -> Result<bool, CacheError> {
        if ancestor == descendant {
            return Ok(true);
        }
        self.repo.graph_descendant_of(descendant.raw(), ancestor.raw()).map_err(|e| {
            self.fail(format!("compare {} with {}", ancestor.short(), descendant.short()), e)
        })
    }
}

/// Keeps libgit2 from reading the user's and the system's git config, as the git runner does,
/// and sets it up for reading many commits once each (no re-hashing, no object cache).
/// Process-wide: the executable calls it once, first thing (`cli::main`), before any other
/// libgit2 use; library code never does.
pub fn sandbox_libgit2() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        for level in [git2::ConfigLevel::System, git2::ConfigLevel::XDG, git2::ConfigLevel::Global]
        {
            // SAFETY: called once, before any other libgit2 use in this process.
            let _ = unsafe { git2::opts::set_search_path(level, "") };
        }
        // git does not re-hash objects it reads (only fsck does); libgit2's default re-hash
        // with collision-detecting SHA-1 made reading 100,000 commits' trees several times
        // slower than `git log --raw`.
        git2::opts::strict_hash_verification(false);
        // No decoded-object cache: the preflight keeps the trees it needs itself, and once
        // libgit2's cache is full every insertion scans its table to evict. Without it a
        // 100,000-commit preflight peaks at 163 MB instead of 372 MB, and is no slower.
        git2::opts::enable_caching(false);
    });
}
