//! The preflight of docs/git-fusion.md: every commit Git Fusion does not have yet is checked against the
//! rules Git Fusion enforces, and against the team's intended attribution, before any push.
//!
//! Pure over its inputs (facts, config, the outgoing commits as `git log` streams them); an
//! author's mapping is computed once per run. Must not push or decide actions.

use std::collections::HashMap;

use git2::Repository;

use super::authors::{same_email, same_user, Directory, Mapping, Via};
use super::facts::FusionFacts;
use super::lfs::LfsRules;
use super::p4gf_config::{settings, ChangeOwner};
use super::permissions::{Permissions, GIT_FUSION_USER};
use super::view::View;
use crate::commits::{CommitInfo, Growth, Trees};
use crate::config::{Config, UnmappedPolicy};
use crate::lfs::scan::Blobs;
use crate::lfs::transfer::Needed;
use crate::oid::Oid;
use crate::outcome::Reason;
use crate::reason::Code;
use crate::refname::BranchName;

pub use crate::commits::InspectError;

/// The outgoing commits, oldest first, as the caller reads them (one `git log --raw -z` child,
/// `git::log::for_each_commit`): each is handed to the function given, and a failure ends the
/// stream.
pub type CommitStream<'s> = &'s mut dyn FnMut(EachCommit<'_>) -> Result<(), InspectError>;

/// What a [`CommitStream`] hands each commit to.
pub type EachCommit<'e> = &'e mut dyn FnMut(Oid, &CommitInfo) -> Result<(), InspectError>;

/// Where a branch grows from, asked with its oldest outgoing commit: `None` for a branch Git
/// Fusion already has, else [`Growth`] (`crate::commits::growth`).
pub type GrowthOf<'g> = &'g mut dyn FnMut(Oid) -> Result<Option<Growth>, InspectError>;

/// The preflight for one workspace's run.
pub struct Preflight<'a> {
    facts: &'a FusionFacts,
    directory: Directory,
    intended: Vec<(&'a str, &'a str)>,
    policy: UnmappedPolicy,
    merges: bool,
    submodules: bool,
    /// Each pushed branch's view, parsed once (`None`: no view gfbridge can predict with).
    views: HashMap<BranchName, Option<View>>,
    /// Who may write where, read once per user.
    permissions: Permissions,
    /// Git Fusion's LFS refusals, and the objects tracked pointers need.
    lfs: LfsRules,
    /// Who Git Fusion will make the owner of each commit checked since the last take.
    owners: Vec<PredictedOwner>,
}

/// The Perforce user Git Fusion will make the owner of one commit's changelist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PredictedOwner {
    /// The commit.
    pub commit: Oid,
    /// The user; `None` when Git Fusion would refuse the author.
    pub owner: Option<String>,
    /// How Git Fusion finds the user: `usermap`, `p4_users`, `unknown_git`, `unmapped`, or
    /// `pusher` under `change-owner = pusher`.
    pub via: &'static str,
}

/// The file a view must map at its top level for Git Fusion to take an empty commit.
const EMPTY_PLACEHOLDER: &str = ".p4gf_empty_changelist_placeholder";

impl<'a> Preflight<'a> {
    /// Returns the preflight for Git Fusion's `facts` and the bridge's `config`.
    pub fn new(config: &'a Config, facts: &'a FusionFacts) -> Preflight<'a> {
        Preflight {
            facts,
            directory: facts.directory(),
            intended: config.authors.iter().map(|(e, u)| (e.as_str(), u.as_str())).collect(),
            policy: config.bridge.on_unmapped_author,
            merges: facts.config.flag(settings::MERGE_COMMITS),
            submodules: facts.config.flag(settings::SUBMODULES),
            views: HashMap::new(),
            permissions: Permissions::new(facts.protections.clone()),
            lfs: LfsRules::new(facts.config.flag(settings::GIT_LFS_ENABLE)),
            owners: Vec::new(),
        }
    }

    /// Returns Git Fusion's pick for a commit's author. One directory serves the whole run,
    /// as one `UserMap` serves a push: ask in push order, oldest commit first.
    pub fn mapping(&mut self, name: &str, email: &str) -> Mapping {
        self.directory.map(name, email)
    }

    /// Returns the `[authors]` user intended for `email`, compared as Git Fusion compares.
    pub fn intended(&self, email: &str) -> Option<&'a str> {
        let sensitive = self.directory.email_case_sensitive();
        self.intended.iter().find(|(e, _)| same_email(e, email, sensitive)).map(|(_, u)| *u)
    }

    /// Returns the reasons about a whole branch (docs/git-fusion.md; `commit` is null for these).
    pub fn branch_reasons(&self, branch: &BranchName, new_branch: bool) -> Vec<Reason> {
        let config = &self.facts.config;
        let mut reasons = Vec::new();
        let owner = config.change_owner();
        if owner.owner == ChangeOwner::Pusher {
            let message = format!(
                "change-owner resolves to `{}` ({:?}): every changelist would belong to the mirroring account",
                owner.raw, owner.source
            );
            reasons.push(branch_reason(Code::ChangeOwnerPusher, message));
        }
        let repo_read_only = config.repo.as_ref().and_then(|r| r.get("@repo", "read-only"));
        if repo_read_only.and_then(super::p4gf_config::boolean) == Some(true) {
            reasons.push(branch_reason(
                Code::ReadOnly,
                "the repo is read-only ([@repo] read-only = yes)".into(),
            ));
        }
        let sections = config.branches();
        let section = sections.iter().find(|s| s.git_branch_name.as_deref() == Some(branch));
        if section.is_some_and(|s| s.read_only) {
            let id = &section.expect("checked").id;
            reasons
                .push(branch_reason(Code::ReadOnly, format!("branch section [{id}] is read-only")));
        }
        let refusal = config.creation_refusal(branch, new_branch, section.is_some());
        reasons.extend(refusal.map(|message| branch_reason(Code::BranchCreationDisabled, message)));
        reasons
    }

    /// Returns the view of `branch` when gfbridge can predict with it: the `view` of the
    /// branch section of the repo's `p4gf_config` that names it, or of the lightweight branch
    /// its `p4gf_config2` records (whose depot paths are under `//.git-fusion/branches/`, and
    /// so never permission-checked); for a new branch no section
    /// defines, the view Git Fusion copies (docs/git-fusion.md): the first section's for a root
    /// commit, else that of the branch holding the first commit's parent — known only when
    /// every defined branch that contains the parent has the same view. Anything less is not
    /// guessed at: gfbridge never blocks on a guess.
    fn view_of(&mut self, branch: &BranchName, growth: Option<&Growth>) -> Option<View> {
        let config = &self.facts.config;
        let view = self.views.entry(branch.clone()).or_insert_with(|| {
            let sections = config.branches();
            let own = sections.iter().find(|s| s.git_branch_name.as_deref() == Some(branch));
            let lightweight = config.lightweight_branches();
            let existing =
                lightweight.iter().find(|s| s.git_branch_name.as_deref() == Some(branch));
            let text = match (own.or(existing), growth) {
                (Some(section), _) => section.view.clone()?,
                (None, Some(Growth::Root)) => sections.iter().find_map(|s| s.view.clone())?,
                (None, Some(Growth::From(parents))) => {
                    let views: Vec<&String> = sections
                        .iter()
                        .filter(|s| {
                            s.git_branch_name
                                .as_deref()
                                .is_some_and(|n| parents.iter().any(|p| p == n))
                        })
                        .filter_map(|s| s.view.as_ref())
                        .collect();
                    let first = views.first()?;
                    views.iter().all(|v| v == first).then(|| (*first).clone())?
                }
                (None, None) => return None,
            };
            View::parse(&text)
                .map_err(|e| tracing::warn!(branch = %branch, "views not checked: {e}"))
                .ok()
        });
        view.clone()
    }

    /// Returns the findings for commit `oid`, whose parents, author and changes are `info`.
    /// `trees` reads whole trees, needed only for case twins on a case-insensitive server.
    fn commit_reasons(
        &mut self,
        trees: &mut Trees,
        blobs: &mut Blobs,
        view: Option<&View>,
        oid: Oid,
        info: &CommitInfo,
    ) -> Result<Vec<Reason>, git2::Error> {
        let mut reasons = self.author_reasons(oid, info);
        reasons.extend(self.shape_reasons(oid, info));
        if let Some(view) = view {
            let outside = view_reasons(view, oid, info);
            // Git Fusion names unmapped files before any permission (docs/git-fusion.md).
            if outside.is_empty() {
                reasons.extend(self.permission_reasons(view, oid, info));
            }
            reasons.extend(outside);
        }
        for change in info.changes.iter().filter(|c| !c.deleted) {
            reasons.extend(path_reasons(oid, &change.path));
            reasons.extend(self.lfs.check(blobs, oid, change)?);
            if change.added && self.facts.case_insensitive {
                if let Some(twin) = trees.case_twin(oid, &change.path)? {
                    reasons.extend(case_reason(view, oid, &change.path, &twin));
                }
            }
        }
        Ok(reasons)
    }

    /// Returns the findings for the commits `stream` hands over (oldest first) pushed to
    /// `branch`, in that order; `repo` is the same repository, for the few whole-tree reads case
    /// twins need; `growth` says where a new branch grows from, asked with the first commit;
    /// `checked` is told how many commits have been read so far (for progress).
    ///
    /// The commits are judged as they arrive, in one pass. A finding repeated word for word (one author's, in every commit they wrote) is kept once, with
    /// its first commit and the count: memory follows the authors, not the history's length.
    pub fn commits_reasons(
        &mut self,
        repo: &Repository,
        branch: &BranchName,
        growth: GrowthOf<'_>,
        stream: CommitStream<'_>,
        checked: &mut dyn FnMut(usize),
    ) -> Result<Vec<Reason>, InspectError> {
        // The view is decided by the oldest commit, the first the stream hands over.
        let mut view: Option<Option<View>> = None;
        let mut trees = Trees::new(repo);
        let mut blobs = Blobs::new(repo).map_err(|e| InspectError::git(None, e))?;
        let mut found: Vec<Reason> = Vec::new();
        let mut seen: HashMap<(Code, String), (usize, usize)> = HashMap::new();
        let mut count = 0;
        stream(&mut |oid, info| {
            let view = match &view {
                Some(view) => view.as_ref(),
                None => {
                    let grows = growth(oid)?;
                    view.insert(self.view_of(branch, grows.as_ref())).as_ref()
                }
            };
            self.predict_owner(oid, info);
            let reasons = self
                .commit_reasons(&mut trees, &mut blobs, view, oid, info)
                .map_err(|e| InspectError::git(Some(oid), e))?;
            for r in reasons {
                match seen.get_mut(&(r.code, r.message.clone())) {
                    Some((_, times)) => *times += 1,
                    None => {
                        seen.insert((r.code, r.message.clone()), (found.len(), 1));
                        found.push(r);
                    }
                }
            }
            count += 1;
            checked(count);
            Ok::<(), InspectError>(())
        })?;
        for (index, times) in seen.into_values().filter(|(_, times)| *times > 1) {
            let more = times - 1;
            found[index].message.push_str(&format!(" (and in {more} later commit(s))"));
        }
        Ok(found)
    }

    /// Returns the LFS objects the tracked pointers of the commits checked since the last call
    /// name (docs/lfs.md): what must be on Git Fusion's LFS server before the push.
    pub fn take_lfs_needed(&mut self) -> Vec<Needed> {
        self.lfs.take_needed()
    }

    /// Returns the owners predicted for the commits checked since the last call, in order:
    /// what `predictions.jsonl` records for a push that is made (docs/audit.md).
    pub fn take_owners(&mut self) -> Vec<PredictedOwner> {
        std::mem::take(&mut self.owners)
    }

    /// Notes who Git Fusion will make the owner of `oid`'s changelist: the pusher under
    /// `change-owner = pusher`, else the author's Perforce user as Git Fusion maps it.
    fn predict_owner(&mut self, oid: Oid, info: &CommitInfo) {
        let (owner, via) = match self.facts.config.change_owner().owner {
            ChangeOwner::Pusher => (self.facts.pusher.clone(), "pusher"),
            ChangeOwner::Author => {
                let mapping = self.mapping(&info.author_name, &info.author_email);
                (mapping.p4_user, mapping.via.name())
            }
        };
        self.owners.push(PredictedOwner { commit: oid, owner, via });
    }

    /// Returns the users Git Fusion checks for write on a commit's files, in the order it
    /// names a failure (docs/git-fusion.md): the changelist owner unless
    /// `ignore-author-permissions`, the pusher when it differs from the owner or author
    /// permissions are ignored, and `git-fusion-user`; and the users whose write maps it joins
    /// with the view, which always include the owner (`ProtectsChecker.init_write_filter`).
    fn checked_users(&mut self, info: &CommitInfo) -> (Vec<String>, Vec<String>) {
        let config = &self.facts.config;
        let ignore_author = config.flag(settings::IGNORE_AUTHOR_PERMISSIONS);
        let pusher = self.facts.pusher.clone();
        let owner = match config.change_owner().owner {
            ChangeOwner::Pusher => pusher.clone(),
            ChangeOwner::Author => self.mapping(&info.author_name, &info.author_email).p4_user,
        };
        let mut users = Vec::new();
        if !ignore_author {
            users.extend(owner.clone());
        }
        if let Some(pusher) = pusher.filter(|p| ignore_author || owner.as_ref() != Some(p)) {
            users.push(pusher);
        }
        users.push(GIT_FUSION_USER.to_string());
        let mut joined = users.clone();
        if ignore_author {
            joined.extend(owner);
        }
        (users, joined)
    }

    /// Returns `permission_denied` for each listed file Git Fusion would refuse
    /// (docs/git-fusion.md): it joins the write maps of the users it checks with the branch
    /// view, and a file passes when any depot path the view relates to it — the visible one,
    /// or one an overlay line shadows — is writable by all of them. Only then does it name the
    /// first checked user who may not write the visible depot path. A user whose permissions
    /// cannot be read counts as allowed, and a view Perforce's engine reads in ways this
    /// reading does not follow blocks nothing: never a guess.
    fn permission_reasons(&mut self, view: &View, oid: Oid, info: &CommitInfo) -> Vec<Reason> {
        if self.permissions.unavailable().is_some() {
            return Vec::new();
        }
        let (users, joined) = self.checked_users(info);
        let guess = view.has_covered_lines();
        let mut reasons = Vec::new();
        for change in &info.changes {
            let path = String::from_utf8_lossy(&change.path).into_owned();
            // Files of lightweight branches live under //.git-fusion/ and are never checked.
            let Some(depot) = view.depot_path(&path).filter(|d| !d.starts_with("//.git-fusion/"))
            else {
                continue;
            };
            let mut allows = |user: &String, depot: &str| {
                self.permissions.write_map(user).map_or(true, |map| map.allows(depot))
            };
            let writable =
                view.depot_paths(&path).iter().any(|d| joined.iter().all(|u| allows(u, d)));
            if writable || guess {
                continue;
            }
            let Some(user) = users.iter().find(|u| !allows(u, &depot)) else {
                continue; // Git Fusion finds no one to blame, and lets the file pass.
            };
            let message = format!(
                "`{user}` may not write {depot} (git path `{path}`): Git Fusion refuses with `user '{user}' not authorized to submit file(s) in git commit`"
            );
            let mut r = reason(Code::PermissionDenied, oid, message);
            (r.path, r.depot_path, r.user) = (Some(path), Some(depot), Some(user.clone()));
            reasons.push(r);
        }
        reasons
    }

    fn shape_reasons(&self, oid: Oid, info: &CommitInfo) -> Vec<Reason> {
        let mut reasons = Vec::new();
        if info.parents > 1 && !self.merges {
            reasons.push(reason(
                Code::MergeCommitsDisabled,
                oid,
                "merge commit while enable-git-merge-commits = no".into(),
            ));
        }
        for change in info.changes.iter().filter(|c| c.gitlink && !c.deleted && !self.submodules) {
            let path = String::from_utf8_lossy(&change.path);
            let message = format!("submodule `{path}` while enable-git-submodules = no");
            reasons.push(reason(Code::SubmodulesDisabled, oid, message));
        }
        reasons
    }

    fn author_reasons(&mut self, oid: Oid, info: &CommitInfo) -> Vec<Reason> {
        // With change-owner = pusher Git Fusion maps no author (and the push is blocked anyway).
        if self.facts.config.change_owner().owner == ChangeOwner::Pusher {
            return Vec::new();
        }
        let (name, email) = (&info.author_name, &info.author_email);
        let mapping = self.mapping(name, email);
        let mut reasons = Vec::new();
        match mapping.via {
            Via::Unmapped => {
                let message = format!("author {name} <{email}>: {}", mapping.detail);
                let code = if mapping.usermap_unreadable {
                    Code::UsermapUnreadable
                } else {
                    Code::UnmappedAuthor
                };
                reasons.push(reason(code, oid, message));
            }
            Via::UnknownGit => {
                let user = mapping.p4_user.as_deref().unwrap_or("unknown_git");
                let message = format!(
                    "author {name} <{email}> maps to nobody: Git Fusion attributes it to `{user}`"
                );
                let mut r = reason(Code::UnknownGitAuthor, oid, message);
                r.blocks = self.policy == UnmappedPolicy::Block;
                reasons.push(r);
            }
            Via::Usermap | Via::P4Users => {}
        }
        if let Some(intended) = self.intended(email) {
            let same = mapping
                .p4_user
                .as_deref()
                .is_some_and(|u| same_user(u, intended, self.facts.case_insensitive));
            if !same {
                let picked = mapping.p4_user.as_deref().unwrap_or("nobody");
                let message = format!(
                    "[authors] says <{email}> is `{intended}`, but Git Fusion would pick `{picked}`; add `{intended} {email} \"{name}\"` to p4gf_usermap (see `gfbridge authors --format usermap`)"
                );
                reasons.push(reason(Code::AuthorOverrideMismatch, oid, message));
            }
        }
        reasons
    }
}

fn reason(code: Code, oid: Oid, message: String) -> Reason {
    Reason::new(code, Some(oid), message, code.blocks_by_default())
}

fn branch_reason(code: Code, message: String) -> Reason {
    Reason::new(code, None, message, true)
}

/// Returns `case_conflict` for `path`, whose tree also holds `twin` (the same path but for
/// letter case). With a view, both are named with their depot paths (docs/git-fusion.md), and a twin
/// the view leaves out never reaches Perforce, so it conflicts with nothing.
fn case_reason(view: Option<&View>, oid: Oid, path: &[u8], twin: &str) -> Option<Reason> {
    let path = String::from_utf8_lossy(path).into_owned();
    let Some(view) = view else {
        let message = format!(
            "`{path}` and `{twin}` differ only in letter case on a case-insensitive server"
        );
        return Some(reason(Code::CaseConflict, oid, message));
    };
    let twin_path = twin.to_string();
    let (ours, theirs) = (view.depot_path(&path)?, view.depot_path(&twin_path)?);
    if ours.to_lowercase() != theirs.to_lowercase() {
        return None; // mapped apart by the view: two different Perforce files
    }
    let message = format!(
        "`{path}` ({ours}) and `{twin_path}` ({theirs}) differ only in letter case on a case-insensitive server"
    );
    let mut r = reason(Code::CaseConflict, oid, message);
    (r.path, r.depot_path) = (Some(path), Some(ours));
    Some(r)
}

/// Returns what the branch's view says of a commit (docs/git-fusion.md): each
/// listed file, deletions included, must map to a depot path; a commit that lists none needs
/// the top-level placeholder mapped.
fn view_reasons(view: &View, oid: Oid, info: &CommitInfo) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if info.changes.is_empty() && view.depot_path(EMPTY_PLACEHOLDER).is_none() {
        let message = format!(
            "the commit changes no file, and the branch's view does not map a top-level {EMPTY_PLACEHOLDER} (Git Fusion: `Empty commit {} not permitted`)",
            oid.short()
        );
        reasons.push(reason(Code::EmptyCommit, oid, message));
    }
    for change in &info.changes {
        let path = String::from_utf8_lossy(&change.path);
        if view.depot_path(&path).is_none() {
            let verb = if change.deleted { "deletes" } else { "writes" };
            let message = format!(
                "the commit {verb} `{path}`, which the branch's view does not map (Git Fusion: `file(s) not in client view`)"
            );
            let mut r = reason(Code::NotInView, oid, message);
            r.path = Some(path.into_owned());
            reasons.push(r);
        }
    }
    reasons
}

/// Returns the findings about one path's name (docs/git-fusion.md, the preflight).
fn path_reasons(oid: Oid, path: &[u8]) -> Vec<Reason> {
    let shown = String::from_utf8_lossy(path);
    let mut reasons = Vec::new();
    if path.windows(3).any(|w| w == b"...") {
        reasons.push(reason(
            Code::InvalidPath,
            oid,
            format!("`{shown}` contains `...`, which Perforce cannot store"),
        ));
    }
    if let Some(byte) = path.iter().find(|b| **b < 0x20 || **b == 0x7F) {
        let message =
            format!("`{}` contains the control character 0x{byte:02X}", shown.escape_debug());
        reasons.push(reason(Code::InvalidPath, oid, message));
    }
    if path.iter().any(|b| b"@#%*".contains(b)) {
        let message =
            format!("`{shown}` is stored in Perforce with @ # % * escaped as %40 %23 %25 %2A");
        reasons.push(reason(Code::EscapedPath, oid, message));
    }
    reasons
}
