//! Who each git author becomes in Perforce (`gfbridge authors`, the report's `authors`):
//! Git Fusion's pick and source for every author of the commits that would go to Git Fusion
//! (or of all mirrored history), with commit counts and the team's intended user.
//!
//! The commits come from the same plan `sync --dry-run` makes; the mapping is
//! `fusion::authors`. Nothing here writes to a remote.

use std::collections::{BTreeMap, BTreeSet};

use crate::cache::Cache;
use crate::commits::{self, Range};
use crate::config::{Config, Workspace};
use crate::fusion::authors::{same_email, Via};
use crate::fusion::facts::FusionFacts;
use crate::oid::Oid;
use crate::outcome::WorkspaceResult;
use crate::perforce::facts;
use crate::plan::{Action, Side};
use crate::progress::Progress;
use crate::state::WorkspaceDir;
use crate::sync::{sync_workspace, SyncOptions};

/// One git author and Git Fusion's attribution.
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
pub struct AuthorRow {
    /// The git author email.
    pub email: String,
    /// The git author name (the most recent one seen for this email).
    pub name: String,
    /// Git Fusion's pick (`null` when unmapped).
    pub p4_user: Option<String>,
    /// How Git Fusion finds it.
    pub via: Via,
    /// How many of the commits considered this author wrote.
    pub commits: usize,
    /// The `[authors]` user for this email, when one is set.
    pub intended: Option<String>,
    /// Why Git Fusion picks `p4_user`, for people.
    #[serde(skip)]
    pub detail: String,
}

impl AuthorRow {
    /// Returns the row in words: `Jane <jane@x> -> jdoe via usermap, 3 commit(s)`, and the
    /// `[authors]` user when Git Fusion would pick another.
    pub fn line(&self) -> String {
        let user = self.p4_user.as_deref().unwrap_or("(rejected)");
        let mut line = format!(
            "{} <{}> -> {user} via {}, {} commit(s)",
            self.name,
            self.email,
            self.via.name(),
            self.commits
        );
        if let Some(intended) = self.intended.as_ref().filter(|_| self.mismatch()) {
            line.push_str(&format!(
                "; [authors] intends {intended}: add the line from `authors --format usermap`"
            ));
        }
        line
    }

    /// Returns true when `[authors]` names a user and Git Fusion would pick another.
    pub fn mismatch(&self) -> bool {
        self.intended.as_ref().is_some_and(|i| self.p4_user.as_deref() != Some(i.as_str()))
    }
}

/// The error returned when the attribution cannot be computed.
#[derive(Debug, thiserror::Error)]
pub enum AttributionError {
    /// The plan could not be made (remote, cache or lock failure), as its run showed it
    /// (exit 4 when another run holds the workspace).
    #[error("{}", .0.message)]
    Plan(crate::errors::Shown),
    /// There is no way to read Git Fusion's users.
    #[error("workspace {0}: no [perforce] section, so Git Fusion's users and usermap cannot be read (add [perforce], or its users_file/usermap_file for offline use)")]
    NoPerforce(String),
    /// Git Fusion's facts could not be read.
    #[error(transparent)]
    Facts(#[from] crate::perforce::facts::FactsError),
    /// The cache could not be opened or walked.
    #[error(transparent)]
    Cache(#[from] crate::cache::CacheError),
    /// A commit could not be read.
    #[error("cannot read commit {commit}: {source}")]
    Commit { commit: Oid, source: crate::git::Libgit },
}

impl crate::errors::Classified for AttributionError {
    fn exit(&self) -> crate::exit::Exit {
        match self {
            AttributionError::Plan(shown) => shown.exit,
            AttributionError::NoPerforce(_)
            | AttributionError::Facts(_)
            | AttributionError::Cache(_)
            | AttributionError::Commit { .. } => crate::exit::Exit::Failure,
        }
    }
    // No hint: the plan's hints name `sync`'s flags (`--wait`), which `authors` lacks.
}

/// The attribution of one workspace.
pub struct Attribution {
    /// One row per git author, sorted by email.
    pub rows: Vec<AuthorRow>,
    /// Git Fusion's facts the rows were computed from.
    pub facts: FusionFacts,
}

/// Returns the attribution for `ws`, from the plan `sync --dry-run` makes.
pub fn attribution(
    config: &Config,
    ws: &Workspace,
    all_history: bool,
    progress: &Progress,
) -> Result<Attribution, AttributionError> {
    if ws.perforce.is_none() {
        return Err(AttributionError::NoPerforce(ws.name.clone()));
    }
    let opts = SyncOptions { dry_run: true, ..SyncOptions::default() };
    let plan = sync_workspace(config, ws, &opts, progress);
    attribution_of(config, ws, &plan, all_history, None)
}

/// Returns the attribution for `ws` from `plan`, a dry run already made, with Git Fusion's
/// `facts` when the caller read them already (else they are read here).
pub fn attribution_of(
    config: &Config,
    ws: &Workspace,
    plan: &WorkspaceResult,
    all_history: bool,
    facts: Option<&FusionFacts>,
) -> Result<Attribution, AttributionError> {
    let perforce =
        ws.perforce.as_ref().ok_or_else(|| AttributionError::NoPerforce(ws.name.clone()))?;
    if let Some(shown) = &plan.error {
        return Err(AttributionError::Plan(shown.clone()));
    }
    let facts = match facts {
        Some(known) => known.clone(),
        None => facts::load(perforce, ws)?,
    };
    let dir = WorkspaceDir::new(&config.bridge.cache_dir, &ws.name);
    let cache = Cache::open_or_init(&dir.cache())?;
    let commits = considered_commits(&cache, plan, all_history)?;
    let rows = rows(config, &facts, &cache, &commits)?;
    Ok(Attribution { rows, facts })
}

/// Returns the commits that would go to Git Fusion, or every commit of the mirrored GitLab
/// branches with `all_history`.
fn considered_commits(
    cache: &Cache,
    plan: &WorkspaceResult,
    all_history: bool,
) -> Result<Vec<Oid>, AttributionError> {
    if all_history {
        let tips: Vec<Oid> =
            plan.branches.iter().filter_map(|b| b.plan.tips.on(Side::Gitlab)).collect();
        return Ok(cache.commits_between(&Range { include: tips, exclude: Vec::new() })?);
    }
    // In push order (branch by branch, oldest first), as Git Fusion reads them: its answers
    // depend on the order (docs/git-fusion.md).
    let outgoing =
        plan.branches.iter().filter(|b| matches!(b.plan.action, Action::PushToFusion { .. }));
    let mut seen = BTreeSet::new();
    Ok(outgoing.flat_map(|b| b.plan.commits.iter().copied()).filter(|c| seen.insert(*c)).collect())
}

fn rows(
    config: &Config,
    facts: &FusionFacts,
    cache: &Cache,
    commits: &[Oid],
) -> Result<Vec<AuthorRow>, AttributionError> {
    // Git Fusion maps each (address, name) pair on its own (docs/git-fusion.md): one row each.
    let mut directory = facts.directory();
    let sensitive = directory.email_case_sensitive();
    let mut by_author: BTreeMap<(String, String), AuthorRow> = BTreeMap::new();
    for oid in commits {
        let (name, email) = commits::author(cache.repo(), *oid)
            .map_err(|e| AttributionError::Commit { commit: *oid, source: e.into() })?;
        let key = if sensitive { email.clone() } else { email.to_lowercase() };
        let row = by_author.entry((key, name.clone())).or_insert_with(|| {
            let mapping = directory.map(&name, &email);
            let intended = config
                .authors
                .iter()
                .find(|(e, _)| same_email(e, &email, sensitive))
                .map(|(_, u)| u.clone());
            AuthorRow {
                email: email.clone(),
                name: name.clone(),
                p4_user: mapping.p4_user,
                via: mapping.via,
                commits: 0,
                intended,
                detail: mapping.detail,
            }
        });
        row.commits += 1;
    }
    Ok(by_author.into_values().collect())
}

/// Returns the `p4gf_usermap` lines that make Git Fusion follow `[authors]`: one for each
/// entry whose address Git Fusion would attribute to another user. Names come from git when
/// the author was seen, else from the intended user's `FullName`.
pub fn usermap_lines(config: &Config, attribution: &Attribution) -> Vec<String> {
    let mut directory = attribution.facts.directory();
    let sensitive = directory.email_case_sensitive();
    let mut lines = Vec::new();
    for (email, user) in &config.authors {
        let seen = attribution.rows.iter().find(|r| same_email(&r.email, email, sensitive));
        let known =
            attribution.facts.user(user).map(|u| u.full_name.clone()).filter(|n| !n.is_empty());
        let name = seen.map(|r| r.name.clone()).or(known).unwrap_or_else(|| user.clone());
        let pick = directory.map(&name, email).p4_user;
        if pick.as_deref() != Some(user.as_str()) {
            lines.push(format!("{user} {email} \"{}\"", name.replace('"', "'")));
        }
    }
    lines
}
