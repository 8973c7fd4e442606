//! The checks of SPEC §5.2: is the environment usable, and is Git Fusion configured so that
//! mirroring is safe — above all, is change-pusher disabled (`change-owner` = `author`)?
//!
//! Each check is a small function returning a `Check`; `run_checks` gathers them. Shared by
//! `check` and, later, the report.

use std::collections::BTreeSet;

use crate::cache::Cache;
pub use crate::check_id::CheckId;
use crate::config::pattern::any_match;
use crate::config::{Config, UnmappedPolicy, Workspace};
use crate::fusion::facts::{self, FusionFacts};
use crate::fusion::p4gf_config::{ChangeOwner, Source};
use crate::fusion::permissions::{self, Permissions, GIT_FUSION_USER};
use crate::git::remote::{list_refs, Refs, RemoteError};
use crate::git::Git;
use crate::refname::BranchName;
use crate::sync::Listed;

mod gitlab;
mod lfs;
use gitlab::protection;

/// The oldest git with every flag gfbridge passes (`fetch --no-write-fetch-head`, leases).
pub const MIN_GIT: (u32, u32) = (2, 30);

/// Pass, warn, fail — or skip: the check could not be made, so it says nothing either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
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
#[derive(Clone, Debug, serde::Serialize)]
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
    /// Every check, in SPEC order.
    pub checks: Vec<Check>,
    /// Git Fusion's facts, when they could be read.
    pub facts: Option<FusionFacts>,
    /// Both remotes' branches (and GitLab's rules when they decide), when all could be read.
    pub listed: Option<Listed>,
}

/// Returns every check for `ws`, in SPEC order.
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
    let facts = fusion_checks(config, ws, &mirrored, &mut checks);
    let tips: Vec<crate::oid::Oid> = [&gitlab, &fusion]
        .into_iter()
        .flatten()
        .flat_map(|listing| mirrored.iter().filter_map(|n| listing.get(*n).copied()))
        .collect();
    checks.push(lfs_check(config, ws, &tips, facts.as_ref()));
    let listed = match (gitlab_refs, fusion_refs, rules) {
        (Ok(gitlab), Ok(fusion), Ok(rules)) => Some(Listed { gitlab, fusion, rules }),
        _ => None,
    };
    Checked { checks, facts, listed }
}

/// Returns check `lfs` for `ws` whose mirrored tips are `tips`, read from the workspace's
/// cache as it is now (the report asks again once its plan has fetched the tips).
pub fn lfs_check(
    config: &Config,
    ws: &Workspace,
    tips: &[crate::oid::Oid],
    facts: Option<&FusionFacts>,
) -> Check {
    let dir = crate::state::WorkspaceDir::new(&config.bridge.cache_dir, &ws.name);
    let cache = Cache::open_existing(&dir.cache());
    lfs::lfs(ws, cache.as_ref(), tips, facts)
}

/// Adds the checks of Git Fusion's settings and returns the facts they were read from.
fn fusion_checks(
    config: &Config,
    ws: &Workspace,
    mirrored: &[&BranchName],
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
            checks.push(fusion_branches(&facts, mirrored));
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

/// SPEC §15.3: warns while a branch that exists on both sides has no base (the state was
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
        Some(user) if user.kind == "standard" => check(CheckId::UnknownGit, Status::Pass, format!("`{name}` exists (standard)")),
        Some(user) => check(CheckId::UnknownGit,
            Status::Fail,
            format!("`{name}` has type `{}`; Git Fusion needs a standard user to own changelists", user.kind),
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

fn fusion_branches(facts: &FusionFacts, mirrored: &[&BranchName]) -> Check {
    if facts.config.flag("git-to-perforce", "enable-git-branch-creation", true) {
        return check(CheckId::FusionBranches, Status::Pass, "branch creation is enabled");
    }
    let defined: Vec<String> =
        facts.config.branches().into_iter().filter_map(|b| b.git_branch_name).collect();
    let missing: Vec<&str> =
        mirrored.iter().map(|b| b.as_str()).filter(|b| !defined.iter().any(|d| d == b)).collect();
    if missing.is_empty() {
        check(
            CheckId::FusionBranches,
            Status::Pass,
            "every mirrored branch is defined in the repo's p4gf_config",
        )
    } else {
        let message = format!(
            "branch creation is disabled and the repo's p4gf_config does not define: {}",
            missing.join(", ")
        );
        check(CheckId::FusionBranches, Status::Fail, message)
    }
}

/// Check `protections` (SPEC §13.2): can protections be read, and may `git-fusion-user` write
/// `//.git-fusion/...`, without which Git Fusion fails every push (reference §8.3)?
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
