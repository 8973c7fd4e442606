//! The checks of docs/git-fusion.md: is the environment usable, and is Git Fusion configured so that
//! mirroring is safe — above all, is change-pusher disabled (`change-owner` = `author`)?
//!
//! Each check is a small function returning a `Check`; `run_checks` gathers them. Shared by
//! `check` and, later, the report.

use std::collections::BTreeSet;

use crate::cache::Cache;
pub use crate::check_id::CheckId;
use crate::config::pattern::any_match;
use crate::config::{Config, UnmappedPolicy, Workspace};
use crate::fusion::facts::FusionFacts;
use crate::fusion::p4gf_config::{settings, ChangeOwner, Source};
use crate::fusion::permissions::{self, Permissions, GIT_FUSION_USER};
use crate::fusion::users::UserType;
use crate::git::remote::{self, list_refs, Refs, RemoteError, Wanted};
use crate::git::Git;
use crate::perforce::facts;
use crate::plan::Side;
use crate::refname::BranchName;
use crate::sync::{Listed, Listing};

mod gitlab;
mod lfs;
use gitlab::protection;

/// The oldest git with every flag gfbridge passes (`fetch --no-write-fetch-head`, leases).
pub const MIN_GIT: (u32, u32) = (2, 30);

/// Pass, warn, fail — or skip: the check could not be made, so it says nothing either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Fine.
    Pass,
    /// Not made: its message starts "not checked:" and says what would let it run. Never
    /// counts as verified (a report is not ready with it unless the workspace accepts it).
    Skip,
    /// Works, but someone should look.
    Warn,
    /// Not safe or not working.
    Fail,
}

/// One check's result.
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
pub struct Check {
    /// The check's id.
    pub id: CheckId,
    /// Its status.
    pub status: Status,
    /// Why, in one line.
    pub message: String,
}

fn check(id: CheckId, status: Status, message: impl Into<String>) -> Check {
    Check { id, status, message: message.into() }
}

/// The checks of a workspace, with what they learnt on the way.
pub struct Checked {
    /// Every check, in the order docs/git-fusion.md lists them.
    pub checks: Vec<Check>,
    /// Git Fusion's facts, when they could be read.
    pub facts: Option<FusionFacts>,
    /// Both remotes' branches (and GitLab's rules when they decide), when all could be read.
    pub listed: Option<Listed>,
}

/// Returns every check for `ws`, in the order docs/git-fusion.md lists them.
pub fn run_checks(config: &Config, ws: &Workspace) -> Vec<Check> {
    run_checks_keeping_facts(config, ws).checks
}

/// Returns every check for `ws` with what they learnt, so that a caller (the report) lists
/// each remote and reads Git Fusion's settings once for the checks, the plan and the authors.
pub fn run_checks_keeping_facts(config: &Config, ws: &Workspace) -> Checked {
    let git = Git::new(&config.bridge.git);
    let mut checks =
        vec![check(CheckId::Config, Status::Pass, format!("{} is valid", config.path.display()))];
    checks.push(git_version(&git));
    let with_tags = !ws.tags.is_empty();
    let gitlab_refs = list_refs(&git, &ws.gitlab_remote, with_tags);
    let fusion_refs = list_refs(&git, &ws.fusion_remote, with_tags);
    let branches = |r: &Result<Refs, _>| {
        r.as_ref().map(|r| r.branches.clone()).map_err(|e: &RemoteError| e.to_string())
    };
    let (gitlab, fusion) = (branches(&gitlab_refs), branches(&fusion_refs));
    for (id, listing, url) in [
        (CheckId::GitlabRemote, &gitlab, &ws.gitlab_remote),
        (CheckId::FusionRemote, &fusion, &ws.fusion_remote),
    ] {
        checks.push(match listing {
            Ok(branches) => {
                check(id, Status::Pass, format!("{url} answers ({} branches)", branches.len()))
            }
            Err(e) => check(id, Status::Fail, e.clone()),
        });
    }
    let names: BTreeSet<BranchName> =
        [&gitlab, &fusion].into_iter().flatten().flat_map(|b| b.keys().cloned()).collect();
    let gitlab_empty = gitlab.as_ref().is_ok_and(|b| b.is_empty());
    let (protection, rules) = protection(config, ws, &names, gitlab_empty);
    checks.extend(protection);
    let mirrored: Vec<&BranchName> = names.iter().filter(|n| any_match(&ws.branches, n)).collect();
    let on_both: Vec<&BranchName> = mirrored
        .iter()
        .copied()
        .filter(|n| {
            [&gitlab, &fusion].iter().all(|l| l.as_ref().is_ok_and(|b| b.contains_key(n.as_str())))
        })
        .collect();
    checks.push(state(config, ws, &on_both));
    // The mirrored branches GitLab has, and whether each would be new to Git Fusion.
    let going: Vec<(&BranchName, bool)> = mirrored
        .iter()
        .filter(|n| gitlab.as_ref().is_ok_and(|b| b.contains_key(n.as_str())))
        .map(|n| (*n, !fusion.as_ref().is_ok_and(|b| b.contains_key(n.as_str()))))
        .collect();
    let facts = fusion_checks(config, ws, &going, &mut checks);
    let tips: Vec<crate::oid::Oid> = [&gitlab, &fusion]
        .into_iter()
        .flatten()
        .flat_map(|listing| mirrored.iter().filter_map(|n| listing.get(*n).copied()))
        .collect();
    checks.push(lfs_check(config, ws, &tips, facts.as_ref(), Some((&git, &gitlab, &fusion))));
    let listed = match (gitlab_refs, fusion_refs, rules) {
        (Ok(gitlab), Ok(fusion), Ok(rules)) => Some(Listed { gitlab, fusion, rules }),
        _ => None,
    };
    Checked { checks, facts, listed }
}

/// The listings `lfs_check` may fetch from: git, and each side's branches (or why not).
pub type Fetchable<'a> = (&'a Git, &'a Result<Listing, String>, &'a Result<Listing, String>);

/// Returns check `lfs` for `ws` whose mirrored tips are `tips`. Tips the cache lacks are
/// fetched into it first when `fetch` gives the listings (into a namespace of the check's own,
/// removed afterwards; never writing a remote); the check is `skip` only when that fails.
pub fn lfs_check(
    config: &Config,
    ws: &Workspace,
    tips: &[crate::oid::Oid],
    facts: Option<&FusionFacts>,
    fetch: Option<Fetchable<'_>>,
) -> Check {
    let dir = crate::state::WorkspaceDir::new(&config.bridge.cache_dir, &ws.name);
    let lacking =
        |cache: Option<&Cache>| tips.iter().any(|t| cache.is_none_or(|c| !c.has_commit(*t)));
    let mut cache = Cache::open_existing(&dir.cache());
    let mut unfetched = None;
    if let (true, Some((git, gitlab, fusion))) = (lacking(cache.as_ref()), fetch) {
        match Cache::open_or_init(&dir.cache()) {
            Ok(opened) => {
                unfetched = fetch_lacking(git, ws, &opened, gitlab, fusion).err();
                cache = Some(opened);
            }
            Err(e) => unfetched = Some(e.to_string()),
        }
    }
    let check = lfs::lfs(ws, cache.as_ref(), tips, facts, unfetched.as_deref());
    if let Some(cache) = &cache {
        cache.drop_refs(CHECK_NS);
    }
    check
}

/// Where check `lfs` keeps what it fetched while it looks: never a sync's tracking refs.
const CHECK_NS: &str = "refs/gfbridge/check/";

/// Fetches, by name, the mirrored branches whose listed tip the cache lacks, from each side.
fn fetch_lacking(
    git: &Git,
    ws: &Workspace,
    cache: &Cache,
    gitlab: &Result<Listing, String>,
    fusion: &Result<Listing, String>,
) -> Result<(), String> {
    for (side, listing) in [(Side::Gitlab, gitlab), (Side::Fusion, fusion)] {
        let listing =
            listing.as_ref().map_err(|e| format!("{} cannot be listed: {e}", side.as_str()))?;
        let lacking: Vec<&BranchName> = listing
            .iter()
            .filter(|(name, tip)| any_match(&ws.branches, name) && !cache.has_commit(**tip))
            .map(|(name, _)| name)
            .collect();
        if lacking.is_empty() {
            continue;
        }
        let wanted: Vec<Wanted<'_>> = lacking.into_iter().map(Wanted::Branch).collect();
        let namespace = format!("{CHECK_NS}{}/", side.as_str());
        remote::fetch(git, cache.path(), ws.remote(side), &namespace, &wanted, None)
            .map_err(|e| format!("fetching from {} failed: {e}", side.as_str()))?;
    }
    Ok(())
}

/// Adds the checks of Git Fusion's settings and returns the facts they were read from.
fn fusion_checks(
    config: &Config,
    ws: &Workspace,
    going: &[(&BranchName, bool)],
    checks: &mut Vec<Check>,
) -> Option<FusionFacts> {
    let ids =
        [CheckId::ChangeOwner, CheckId::UnknownGit, CheckId::FusionBranches, CheckId::Protections];
    let Some(perforce) = &ws.perforce else {
        let why = "not checked: no [perforce] section, so Git Fusion's settings cannot be read (add [perforce], or its offline files)";
        checks.extend(ids.map(|id| check(id, Status::Skip, why)));
        return None;
    };
    match facts::load(perforce, ws) {
        Ok(facts) => {
            checks.push(change_owner(&facts));
            checks.push(unknown_git(config, &facts));
            checks.push(fusion_branches(&facts, going));
            checks.push(protections(&facts));
            Some(facts)
        }
        Err(e) => {
            let why = format!("cannot read Git Fusion's settings: {e}");
            checks.extend(ids.map(|id| check(id, Status::Fail, why.clone())));
            None
        }
    }
}

/// docs/output.md: warns while a branch that exists on both sides has no base (the state was
/// lost, or gfbridge has not yet seen both sides equal). Reads the cache; creates nothing.
fn state(config: &Config, ws: &Workspace, on_both: &[&BranchName]) -> Check {
    let dir = crate::state::WorkspaceDir::new(&config.bridge.cache_dir, &ws.name);
    let cache = Cache::open_existing(&dir.cache());
    let unbased: Vec<&str> = on_both
        .iter()
        .filter(|b| cache.as_ref().is_none_or(|c| c.base(b).ok().flatten().is_none()))
        .map(|b| b.as_str())
        .collect();
    if unbased.is_empty() {
        let message = match on_both.len() {
            0 => "no mirrored branch exists on both sides yet".to_string(),
            n => format!("every mirrored branch on both sides has a base ({n})"),
        };
        return check(CheckId::State, Status::Pass, message);
    }
    let message = format!(
        "no saved state: rewrites cannot be told from new work until both sides are seen equal; no base for: {} (state directory: {})",
        unbased.join(", "),
        dir.root.display()
    );
    check(CheckId::State, Status::Warn, message)
}

fn git_version(git: &Git) -> Check {
    let version = git.run(None, &[std::ffi::OsString::from("--version")]);
    let Ok(text) = version else {
        return check(
            CheckId::Git,
            Status::Fail,
            version.err().map(|e| e.to_string()).unwrap_or_default(),
        );
    };
    let number = text.split_whitespace().nth(2).unwrap_or("");
    let mut parts = number.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let found = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if found >= MIN_GIT {
        check(CheckId::Git, Status::Pass, format!("git {number}"))
    } else {
        check(
            CheckId::Git,
            Status::Fail,
            format!("git {number} is too old: gfbridge needs {}.{} or newer", MIN_GIT.0, MIN_GIT.1),
        )
    }
}

/// Warns for allowlist entries that select no existing branch: they mirror nothing.
fn unused_patterns(ws: &Workspace, names: &BTreeSet<BranchName>) -> Option<Check> {
    let unused: Vec<&str> = ws
        .branches
        .iter()
        .filter(|p| !names.iter().any(|n| p.matches(n)))
        .map(|p| p.as_str())
        .collect();
    (!unused.is_empty()).then(|| {
        let message = format!(
            "allowlist entries that match no existing branch (nothing mirrored): {}",
            unused.join(", ")
        );
        check(CheckId::BranchesAllowlist, Status::Warn, message)
    })
}

/// The check that matters most: is change-pusher disabled?
pub fn change_owner(facts: &FusionFacts) -> Check {
    let owner = facts.config.change_owner();
    let ignored = facts.config.ignored_repo_sections();
    let trap = ignored.contains(&"git-to-perforce").then_some(
        " The repo's p4gf_config has a [git-to-perforce] section, which Git Fusion ignores there: put overrides in [@repo].",
    );
    let from = match owner.source {
        Source::RepoFile => "the repo's [@repo]",
        Source::GlobalFile => "the global [git-to-perforce]",
        Source::Default => "Git Fusion's default",
    };
    match owner.owner {
        ChangeOwner::Pusher => check(CheckId::ChangeOwner,
            Status::Fail,
            format!(
                "change-owner is `{}` (from {from}): change-pusher is NOT disabled; every changelist would belong to the mirroring account.{}",
                owner.raw,
                trap.unwrap_or("")
            ),
        ),
        ChangeOwner::Author if trap.is_some() || owner.unusual => check(CheckId::ChangeOwner,
            Status::Warn,
            format!(
                "change-owner is `{}` (from {from}), treated as author.{}{}",
                owner.raw,
                trap.unwrap_or(""),
                if owner.unusual { " The value is neither author nor pusher; Git Fusion's validator reports it." } else { "" }
            ),
        ),
        ChangeOwner::Author => check(CheckId::ChangeOwner,
            Status::Pass,
            format!("change-owner is author (from {from}): change-pusher is disabled"),
        ),
    }
}

fn unknown_git(config: &Config, facts: &FusionFacts) -> Check {
    let name = &config.bridge.unknown_user;
    match facts.user(name) {
        Some(user) if user.kind == UserType::Standard => check(CheckId::UnknownGit, Status::Pass, format!("`{name}` exists (standard)")),
        Some(user) => check(CheckId::UnknownGit,
            Status::Fail,
            format!("`{name}` has type `{}`; Git Fusion needs a standard user to own changelists", user.kind.as_str()),
        ),
        None if config.bridge.on_unmapped_author == UnmappedPolicy::Block => {
            check(CheckId::UnknownGit, Status::Pass, format!("`{name}` does not exist; unmapped authors are blocked (on_unmapped_author = \"block\")"))
        }
        None => check(CheckId::UnknownGit,
            Status::Warn,
            format!("`{name}` does not exist: Git Fusion will reject commits by authors it cannot map"),
        ),
    }
}

/// Check `fusion_branches`: will Git Fusion take every mirrored branch GitLab has, judged by
/// the same rule as the preflight (new names included, with `depot-branch-creation-enable`),
/// and is no lightweight branch named like a `p4gf_config` branch (which breaks the repo)?
fn fusion_branches(facts: &FusionFacts, going: &[(&BranchName, bool)]) -> Check {
    let config = &facts.config;
    let clashes = config.lightweight_name_clashes();
    if !clashes.is_empty() {
        let message = format!(
            "p4gf_config2 has lightweight branches named like branches of the repo's p4gf_config: {} (Git Fusion then fails every operation on the repo; delete or rename the lightweight ones)",
            clashes.join(", ")
        );
        return check(CheckId::FusionBranches, Status::Fail, message);
    }
    let defined: Vec<String> =
        config.branches().into_iter().filter_map(|b| b.git_branch_name).collect();
    let refusals: Vec<String> = going
        .iter()
        .filter_map(|(branch, new)| {
            config.creation_refusal(
                branch.as_str(),
                *new,
                defined.iter().any(|d| d == branch.as_str()),
            )
        })
        .collect();
    if !refusals.is_empty() {
        return check(CheckId::FusionBranches, Status::Fail, refusals.join("; "));
    }
    let message = if config.flag(settings::BRANCH_CREATION) {
        "branch creation is enabled"
    } else {
        "Git Fusion takes every mirrored branch (each is defined in the repo's p4gf_config, or made by depot-branch creation)"
    };
    check(CheckId::FusionBranches, Status::Pass, message)
}

/// Check `protections` (docs/git-fusion.md): can protections be read, and may `git-fusion-user` write
/// `//.git-fusion/...`, without which Git Fusion fails every push (docs/git-fusion.md)?
fn protections(facts: &FusionFacts) -> Check {
    let mut permissions = Permissions::new(facts.protections.clone());
    if let Some(why) = permissions.unavailable() {
        return check(CheckId::Protections, Status::Skip, why);
    }
    let how = match facts.protections {
        permissions::Source::Online { .. } => "read from the server (p4 protects -u -h)",
        _ => "read from protects_file and groups_file",
    };
    match permissions.write_map(GIT_FUSION_USER) {
        Err(why) => check(CheckId::Protections, Status::Skip, format!("not checked: {why}")),
        Ok(map) if map.allows("//.git-fusion/p4gf_config") => check(CheckId::Protections,
            Status::Pass,
            format!("{how}; git-fusion-user may write //.git-fusion/..."),
        ),
        Ok(_) => check(CheckId::Protections,
            Status::Fail,
            format!("{how}; git-fusion-user may not write //.git-fusion/..., so Git Fusion fails every push with `permission denied`"),
        ),
    }
}
