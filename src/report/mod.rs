//! The cutover-readiness report (docs/report.md): per workspace, the checks, the plan `sync --dry-run`
//! makes (same code path: `sync_workspace` with `dry_run`), and the author table, with the
//! verdict. Its formats are `output::report`; each renders the same [`Report`].
//!
//! Must not write to a remote or decide anything the dry run does not decide.

pub mod verdict;

use crate::audit::{audit_workspace, Summary, DEFAULT_LAST};
use crate::state::predictions::Window;

use std::sync::Arc;
use std::time::Duration;

use crate::attribution::{attribution_of, AuthorRow};
use crate::checks::{run_checks_keeping_facts, Check, CheckId, Status};
use crate::config::{Config, Workspace};
use crate::exit::Exit;
use crate::outcome::Planned;
use crate::outcome::{BranchResult, WorkspaceResult};
use crate::plan::Action;
use crate::progress::Progress;
use crate::state::journal::now_rfc3339;
use crate::state::lock::WorkspaceLock;
use crate::state::WorkspaceDir;
use crate::sync::{lock_workspace, sync_workspace, SyncOptions};
use verdict::Blocker;

/// How long the report waits for a sync holding a workspace's lock.
const LOCK_WAIT: Duration = Duration::from_secs(30);

/// The whole report.
#[derive(Clone, Debug)]
pub struct Report {
    /// When it was made (RFC 3339, UTC).
    pub generated_at: String,
    /// One entry per selected workspace, in config order.
    pub workspaces: Vec<WorkspaceReport>,
}

/// One workspace's part of the report.
#[derive(Clone, Debug)]
pub struct WorkspaceReport {
    /// The workspace name.
    pub name: String,
    /// The checks of docs/git-fusion.md.
    pub checks: Vec<Check>,
    /// The dry run: every mirrored branch's plan, or the error that stopped it.
    pub plan: WorkspaceResult,
    /// Who the authors of the commits going to Git Fusion become, or why that is unknown.
    pub authors: Result<Vec<AuthorRow>, String>,
    /// The checks the workspace accepts as not made (`accept_unchecked`).
    pub accepted: Vec<CheckId>,
    /// The audit of the last recorded pushes (docs/audit.md), or why it could not be made;
    /// `None` without a Perforce server.
    pub audit: Option<Result<Summary, String>>,
}

impl WorkspaceReport {
    /// Returns true when no check fails, warns or was skipped (unless accepted), the plan was
    /// made, every mirrored ref is in sync, and no push is remembered as failed or pending.
    pub fn ready(&self) -> bool {
        self.blockers().is_empty()
    }

    /// Returns why the workspace is not ready, people's work first (empty when ready).
    pub fn blockers(&self) -> Vec<Blocker> {
        let error = self.plan.error.as_ref().map(|e| e.message.as_str());
        let (branches, tags) = (&self.plan.branches, &self.plan.tags);
        verdict::blockers(&self.checks, &self.accepted, error, branches, tags, self.audit.as_ref())
    }

    /// Returns the checks that were not made and are accepted so: shown on the first screen,
    /// never silently.
    pub fn accepted_unchecked(&self) -> Vec<&Check> {
        self.checks
            .iter()
            .filter(|c| c.status == Status::Skip && self.accepted.contains(&c.id))
            .collect()
    }

    /// Returns the branches, those that are not in sync first (each group by name).
    pub fn branches_problems_first(&self) -> Vec<&BranchResult> {
        let mut branches: Vec<&BranchResult> = self.plan.branches.iter().collect();
        branches
            .sort_by_key(|b| (!b.plan.blocked() && b.plan.action == Action::InSync, &b.plan.name));
        branches
    }

    /// Returns the exit code: the failed plan's (1, or 4 when busy), 3 when not ready, else 0.
    pub fn exit(&self) -> Exit {
        match (&self.plan.error, self.ready()) {
            (Some(e), _) => e.exit,
            (None, false) => Exit::Attention,
            (None, true) => Exit::Ok,
        }
    }
}

impl Report {
    /// Returns true when every workspace is ready.
    pub fn ready(&self) -> bool {
        self.workspaces.iter().all(WorkspaceReport::ready)
    }

    /// Returns the exit code of the whole report (the most severe workspace's).
    pub fn exit(&self) -> Exit {
        Exit::worst(self.workspaces.iter().map(WorkspaceReport::exit))
    }
}

/// Returns the action and what it concerns, in words: `push_to_fusion: 2 commits to transfer`.
pub fn branch_summary(b: &BranchResult) -> String {
    format!("{} ({})", b.plan.action_name(), b.plan.describe())
}

/// Makes the report of `selected`, showing its long steps on `progress`.
pub fn build(config: &Config, selected: &[&Workspace], progress: &Progress) -> Report {
    let workspaces = selected
        .iter()
        .map(|ws| {
            progress.say(&format!("{}: checking and planning", ws.name));
            workspace(config, ws, progress, None)
        })
        .collect();
    Report { generated_at: now_rfc3339(), workspaces }
}

/// Returns the report of one workspace, read under `held` when the caller holds the
/// workspace's lock (a cutover does, from its sync to its record), else under the lock this
/// takes.
pub fn workspace(
    config: &Config,
    ws: &Workspace,
    progress: &Progress,
    held: Option<Arc<WorkspaceLock>>,
) -> WorkspaceReport {
    // The lock first: a listing taken while a sync runs, compared with the bases that sync
    // then saves, would show a rewrite that never happened (docs/operations.md). Busy after the
    // wait: the plan says so, and its own attempt does not wait again.
    let dir = WorkspaceDir::new(&config.bridge.cache_dir, &ws.name);
    let lock = held.or_else(|| lock_workspace(&dir, ws, LOCK_WAIT, progress).ok().map(Arc::new));
    // Each remote is listed once and Git Fusion's settings are read once, for the checks,
    // the plan and the author table: they describe the same moment.
    let checked = run_checks_keeping_facts(config, ws);
    let (checks, facts) = (checked.checks, checked.facts.map(Arc::new));
    let opts = SyncOptions {
        dry_run: true,
        facts: facts.clone(),
        listed: lock.is_some().then_some(checked.listed).flatten().map(Arc::new),
        lock,
        ..SyncOptions::default()
    };
    // `opts` holds the lock to the end of this function: released before anything renders.
    let plan = sync_workspace(config, ws, &opts, progress);
    // The plan fetched the tips the checks could not look into yet: check `lfs` again.
    let tips: Vec<_> = plan
        .branches
        .iter()
        .flat_map(|b| [b.plan.tips.gitlab, b.plan.tips.fusion])
        .flatten()
        .collect();
    let mut checks = checks;
    if let Some(lfs) = checks.iter_mut().find(|c| c.id == CheckId::Lfs) {
        *lfs = crate::checks::lfs_check(config, ws, &tips, facts.as_deref(), None);
    }
    let authors = match (&plan.error, &ws.perforce) {
        (Some(_), _) => Err("unknown: the plan could not be made".to_string()),
        (None, None) => Err("unknown: no [perforce] section to read Git Fusion's users".into()),
        (None, Some(_)) => attribution_of(config, ws, &plan, false, facts.as_deref())
            .map(|a| a.rows)
            .map_err(|e| e.to_string()),
    };
    let audit = ws.perforce.as_ref().map(|_| {
        let window = Window::Last(DEFAULT_LAST);
        audit_workspace(&config.bridge.cache_dir, ws, &window)
            .map(|rows| Summary::of(&rows))
            .map_err(|e| crate::errors::chain(&e))
    });
    WorkspaceReport {
        name: ws.name.clone(),
        checks,
        plan,
        authors,
        accepted: ws.accept_unchecked.clone(),
        audit,
    }
}
