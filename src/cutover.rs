//! `gfbridge cutover` (docs/cutover.md): the end of a migration as one checked, recorded step
//! per workspace. Under the workspace's lock from start to end: a sync, the report's verdict,
//! the remembered pushes and the audit; when every condition holds, a record an auditor can
//! keep (JSON and Markdown) and the workspace retired — or, when one fails, nothing written.
//!
//! Owns the conditions (`judge`, pure), the record, retiring and returning to service; the
//! Markdown is `output::cutover`. Must not push anything but the sync's own pushes.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use schemars::JsonSchema;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::audit::{changes_of, Summary};
use crate::check_id::CheckId;
use crate::config::{Config, Workspace};
use crate::errors::Shown;
use crate::oid::Oid;
use crate::outcome::Planned;
use crate::perforce::{P4Error, P4};
use crate::plan::Action;
use crate::progress::Progress;
use crate::refname::{BranchName, TagName};
use crate::report::{self, WorkspaceReport};
use crate::state::retired::{self, Retired, RetiredError};
use crate::state::WorkspaceDir;
use crate::sync::{lock_workspace, sync_workspace, SyncError, SyncOptions};
use crate::tags::TagAction;

/// What a cutover requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// Every mirrored branch and tag is equal on both sides.
    InSync,
    /// No push to Git Fusion is remembered as failed or pending.
    NoRememberedPush,
    /// The report's verdict is READY (accepted skips allowed).
    Ready,
    /// With a Perforce server: the audit finds no `mismatch` or `missing` commit.
    Audit,
}

/// One requirement, and whether it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Condition {
    /// The requirement.
    pub requirement: Requirement,
    /// Whether it holds.
    pub met: bool,
    /// Why, in one line.
    pub detail: String,
}

/// Returns whether each requirement holds for the workspace `report` describes, with
/// `remembered` pushes to Git Fusion on record.
pub fn judge(report: &WorkspaceReport, remembered: usize) -> Vec<Condition> {
    let plan = &report.plan;
    let apart: Vec<String> = plan
        .branches
        .iter()
        .filter(|b| b.plan.blocked() || b.plan.action != Action::InSync)
        .map(|b| format!("{} ({})", b.plan.name, b.plan.action_name()))
        .chain(
            plan.tags
                .iter()
                .filter(|t| t.plan.blocked() || t.plan.action != TagAction::InSync)
                .map(|t| format!("tag {} ({})", t.plan.name, t.plan.action_name())),
        )
        .collect();
    let in_sync = match (&plan.error, apart.is_empty()) {
        (Some(e), _) => (false, format!("the plan could not be made: {}", e.message)),
        (None, true) => (true, "every mirrored branch and tag is equal on both sides".into()),
        (None, false) => (false, format!("not equal on both sides: {}", apart.join(", "))),
    };
    let pushes = match remembered {
        0 => (true, "no push to Git Fusion is remembered".to_string()),
        n => (false, format!("{n} push(es) to Git Fusion remembered as failed or pending")),
    };
    let blockers = report.blockers();
    let ready = match blockers.first() {
        None => (true, "the report says READY".to_string()),
        Some(first) => (
            false,
            format!(
                "the report says NOT READY ({} blocker(s); first: {})",
                blockers.len(),
                first.line()
            ),
        ),
    };
    let audit = match &report.audit {
        None => (true, "no [perforce] section: nothing to audit".to_string()),
        Some(Err(why)) => (false, format!("what Perforce recorded could not be read: {why}")),
        Some(Ok(s)) => (
            s.clean(),
            format!("{} match, {} mismatch, {} missing", s.matched, s.mismatch, s.missing),
        ),
    };
    [
        (Requirement::InSync, in_sync),
        (Requirement::NoRememberedPush, pushes),
        (Requirement::Ready, ready),
        (Requirement::Audit, audit),
    ]
    .into_iter()
    .map(|(requirement, (met, detail))| Condition { requirement, met, detail })
    .collect()
}

/// The record a cutover leaves (`cutover-<workspace>-<stamp>.json`).
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct Record {
    /// `gfbridge <version>`.
    pub version: String,
    /// The workspace.
    pub workspace: String,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// The GitLab remote, without credentials.
    pub gitlab_remote: String,
    /// The Git Fusion remote, without credentials.
    pub fusion_remote: String,
    /// Git Fusion's repo name.
    pub fusion_repo: String,
    /// Every mirrored branch: its tip on both sides, and the Perforce change of that tip.
    pub branches: Vec<RecordBranch>,
    /// Every mirrored tag and the object it names on both sides.
    pub tags: Vec<RecordTag>,
    /// The audit's counts, `null` without a Perforce server.
    pub audit: Option<Summary>,
    /// The checks accepted without checking.
    pub accepted_unchecked: Vec<AcceptedSkip>,
    /// The SHA-256 of the config file's bytes.
    pub config_sha256: String,
}

/// A branch in the record.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct RecordBranch {
    /// The branch.
    pub name: BranchName,
    /// Its tip, the same on both sides.
    pub commit: Oid,
    /// The Perforce changelist holding that commit, `null` without a Perforce server.
    pub change: Option<u64>,
}

/// A tag in the record.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct RecordTag {
    /// The tag.
    pub name: TagName,
    /// The object it names, the same on both sides.
    pub object: Oid,
}

/// A check accepted without checking.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct AcceptedSkip {
    /// The check.
    pub id: CheckId,
    /// Why it could not run.
    pub message: String,
}

/// What `cutover` found: the conditions, and what it wrote when it could go ahead.
#[derive(Debug)]
pub struct Cutover {
    /// Each requirement.
    pub conditions: Vec<Condition>,
    /// The record and its files, when the cutover was executed.
    pub written: Option<Written>,
}

impl Cutover {
    /// Returns whether every requirement holds.
    pub fn possible(&self) -> bool {
        self.conditions.iter().all(|c| c.met)
    }
}

/// The files a cutover wrote.
#[derive(Debug)]
pub struct Written {
    /// The JSON record.
    pub json: PathBuf,
    /// The Markdown record.
    pub markdown: PathBuf,
    /// What they hold.
    pub record: Record,
}

/// The error returned when a cutover cannot be assessed, made or undone.
#[derive(Debug, thiserror::Error)]
pub enum CutoverError {
    /// The workspace is retired already: why, in the words every command uses.
    #[error("{0}")]
    AlreadyRetired(String),
    /// `--undo` of a workspace in service.
    #[error("workspace {0} is in service: there is no cutover to undo")]
    NotRetired(String),
    /// The directory for the record cannot take it.
    #[error("cannot write the cutover record into {path}: {source}")]
    OutDir { path: PathBuf, source: std::io::Error },
    /// The lock or the sync failed.
    #[error(transparent)]
    Sync(#[from] SyncError),
    /// The sync's run stopped on an error.
    #[error("{}", .0.message)]
    Run(Shown),
    /// The Perforce change of a branch tip could not be read.
    #[error("cannot read the Perforce change of each branch tip: {0}")]
    P4(#[from] P4Error),
    /// A record file could not be written (nothing is left behind).
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    /// The retirement could not be read or written.
    #[error(transparent)]
    Retired(#[from] RetiredError),
}

impl crate::errors::Classified for CutoverError {
    fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        match self {
            CutoverError::AlreadyRetired(_)
            | CutoverError::NotRetired(_)
            | CutoverError::OutDir { .. } => Exit::Usage,
            CutoverError::Sync(e) => e.exit(),
            CutoverError::Run(shown) => shown.exit,
            CutoverError::P4(_) | CutoverError::Write { .. } | CutoverError::Retired(_) => {
                Exit::Failure
            }
        }
    }
}

/// How a cutover runs.
pub struct Options<'a> {
    /// Sync, record and retire (else only say whether it would succeed).
    pub execute: bool,
    /// Where the record goes.
    pub out_dir: &'a Path,
    /// How long to wait for another run's lock.
    pub wait: Duration,
    /// The record's two files, JSON and Markdown (`output` writes them; this module only
    /// decides when they are written).
    pub render: &'a dyn Fn(&Record) -> (String, String),
}

/// Says whether a cutover of `ws` would succeed, or (with `execute`) makes it.
pub fn cutover(
    config: &Config,
    ws: &Workspace,
    opts: &Options<'_>,
    progress: &Progress,
) -> Result<Cutover, CutoverError> {
    let dir = WorkspaceDir::new(&config.bridge.cache_dir, &ws.name);
    if let Some(r) = retired::read(&dir.retired())? {
        return Err(CutoverError::AlreadyRetired(r.describe(&ws.name)));
    }
    if opts.execute {
        writable(opts.out_dir)?;
    }
    // One lock from the sync to the record: nothing moves between the check and the record.
    let lock = Arc::new(lock_workspace(&dir, ws, opts.wait, progress)?);
    if opts.execute {
        progress.say(&format!("{}: syncing before the cutover", ws.name));
        let sync_opts = SyncOptions { lock: Some(lock.clone()), ..SyncOptions::default() };
        let synced = sync_workspace(config, ws, &sync_opts, progress);
        if let Some(error) = synced.error {
            return Err(CutoverError::Run(error));
        }
    }
    progress.say(&format!("{}: checking the cutover's conditions", ws.name));
    let report = report::workspace(config, ws, progress, Some(lock.clone()));
    let remembered = crate::state::pushes::load(&dir.pushes()).map_err(SyncError::from)?.len();
    let conditions = judge(&report, remembered);
    let possible = conditions.iter().all(|c| c.met);
    let written = match (opts.execute && possible, &report.plan.error) {
        (true, None) => Some(write(config, ws, &dir, &report, opts)?),
        _ => None,
    };
    drop(lock);
    Ok(Cutover { conditions, written })
}

/// Returns a retired workspace to service.
pub fn undo(config: &Config, ws: &Workspace) -> Result<Retired, CutoverError> {
    let dir = WorkspaceDir::new(&config.bridge.cache_dir, &ws.name);
    let was =
        retired::read(&dir.retired())?.ok_or_else(|| CutoverError::NotRetired(ws.name.clone()))?;
    retired::remove(&dir.retired())?;
    Ok(was)
}

/// Fails unless `dir` is a directory gfbridge can create files in (asked before any sync).
fn writable(dir: &Path) -> Result<(), CutoverError> {
    let fail = |source| CutoverError::OutDir { path: dir.to_path_buf(), source };
    if !dir.is_dir() {
        return Err(fail(std::io::Error::new(std::io::ErrorKind::NotFound, "not a directory")));
    }
    tempfile::Builder::new().prefix(".gfbridge-probe-").tempfile_in(dir).map(drop).map_err(fail)
}

/// Writes the record (JSON, then Markdown), then retires the workspace; a failure removes
/// what was written, so the workspace stays in service with no record.
fn write(
    config: &Config,
    ws: &Workspace,
    dir: &WorkspaceDir,
    report: &WorkspaceReport,
    opts: &Options<'_>,
) -> Result<Written, CutoverError> {
    let record = record(config, ws, report)?;
    let (json_text, markdown_text) = (opts.render)(&record);
    let out_dir = opts.out_dir;
    let stamp = record.at.replace(['-', ':'], "");
    let base = out_dir.join(format!("cutover-{}-{stamp}", ws.name));
    let (json, markdown) = (base.with_extension("json"), base.with_extension("md"));
    let json = std::path::absolute(&json).unwrap_or(json);
    let write = |path: &Path, text: String| {
        crate::files::write_atomically(path, text.as_bytes(), None)
            .map_err(|source| CutoverError::Write { path: path.to_path_buf(), source })
    };
    write(&json, json_text)?;
    let undo = |paths: &[&Path]| paths.iter().for_each(|p| drop(std::fs::remove_file(p)));
    if let Err(e) = write(&markdown, markdown_text) {
        undo(&[&json]);
        return Err(e);
    }
    let retired = Retired { at: record.at.clone(), record: json.clone() };
    if let Err(e) = retired::write(&dir.retired(), &retired) {
        undo(&[&json, &markdown]);
        return Err(e.into());
    }
    tracing::info!(workspace = %ws.name, record = %json.display(), "retired by cutover");
    Ok(Written { json, markdown, record })
}

fn record(
    config: &Config,
    ws: &Workspace,
    report: &WorkspaceReport,
) -> Result<Record, CutoverError> {
    let tips: Vec<(BranchName, Oid)> = report
        .plan
        .branches
        .iter()
        .filter_map(|b| Some((b.plan.name.clone(), b.plan.tips.gitlab?)))
        .collect();
    let changes = match &ws.perforce {
        Some(settings) => {
            let commits: Vec<Oid> = tips.iter().map(|(_, c)| *c).collect();
            Some(changes_of(&P4::new(settings), &ws.fusion_repo, &commits)?)
        }
        None => None,
    };
    let config_bytes = std::fs::read(&config.path)
        .map_err(|source| CutoverError::Write { path: config.path.clone(), source })?;
    Ok(Record {
        version: crate::about::version(),
        workspace: ws.name.clone(),
        at: crate::state::journal::now_rfc3339(),
        gitlab_remote: ws.gitlab_remote.to_string(),
        fusion_remote: ws.fusion_remote.to_string(),
        fusion_repo: ws.fusion_repo.clone(),
        branches: tips
            .into_iter()
            .map(|(name, commit)| {
                let change = changes.as_ref().and_then(|c| c.get(&commit).copied());
                RecordBranch { name, commit, change }
            })
            .collect(),
        tags: report
            .plan
            .tags
            .iter()
            .filter_map(|t| {
                Some(RecordTag { name: t.plan.name.clone(), object: t.plan.gitlab?.object })
            })
            .collect(),
        audit: report.audit.as_ref().and_then(|a| a.as_ref().ok()).copied(),
        accepted_unchecked: report
            .accepted_unchecked()
            .into_iter()
            .map(|c| AcceptedSkip { id: c.id, message: c.message.clone() })
            .collect(),
        config_sha256: Sha256::digest(&config_bytes).iter().map(|b| format!("{b:02x}")).collect(),
    })
}
