//! One sync of one workspace (docs/architecture.md): lock, survey, plan every mirrored branch, push what
//! may be pushed, move bases, journal every write and refusal, and replan lost races.
//!
//! Dry run is this same path with the effects switched off. Output formats live in `render`.

mod analyse;
mod error;
mod execute;
mod interrupted;
mod lfs;
mod preflight;
mod record;
mod remembered;
mod settle;
mod survey;
mod tags;

use std::cell::OnceCell;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::cache::Cache;
use crate::config::{Config, ProtectedFrom, Workspace};
use crate::errors::Shown;
use crate::fusion::facts::FusionFacts;
use crate::fusion::preflight::{PredictedOwner, Preflight};
use crate::git::Git;
use crate::gitlab::GitlabClient;
use crate::interrupt;
use crate::oid::Oid;
use crate::outcome::{BranchPlan, BranchResult, SkipCause, TagResult, WorkspaceResult};
use crate::plan::{Action, Side};
use crate::progress::Progress;
use crate::refname::{BranchName, RefName};
use crate::state::inflight;
use crate::state::journal::{self, Entry};
use crate::state::lock::WorkspaceLock;
use crate::state::WorkspaceDir;
use remembered::Remembered;

use crate::outcome::Planned;
pub use error::SyncError;
use execute::PushResult;
pub use survey::{Announced, Listed, Listing};

/// How many times a branch is planned again within one run after losing a push race.
const MAX_ATTEMPTS: usize = 3;

/// What the caller asked for.
#[derive(Clone, Debug, Default)]
pub struct SyncOptions {
    /// Decide and print; write nothing to either remote.
    pub dry_run: bool,
    /// Only these branches (all mirrored branches when empty).
    pub branches: Vec<BranchName>,
    /// How long to wait for another run's lock.
    pub wait: Duration,
    /// Forget remembered failed and pending pushes to Git Fusion and plan from what the
    /// remotes show.
    pub retry_failed: bool,
    /// Branches GitLab announced as moved (webhooks): fetched while the remotes are listed,
    /// which saves the run a round trip. Plans still use only what `ls-remote` lists.
    pub prefetch: Vec<Announced>,
    /// Git Fusion's facts, when the caller already read them (the report reads them once
    /// for its checks, the plan and the author table).
    pub facts: Option<Arc<FusionFacts>>,
    /// Where a caller that makes many runs keeps Git Fusion's facts between them (the
    /// service): a run takes them from here when present, and leaves here those it reads. The
    /// caller empties it when they may be out of date.
    pub facts_slot: Option<FactsSlot>,
    /// What the caller listed moments ago (the report's checks): the first attempt plans from
    /// it instead of asking both remotes again. Later attempts always list afresh.
    pub listed: Option<Arc<Listed>>,
    /// The caller's GitLab API client, when it keeps one across runs (the service does: one
    /// connection pool per process); built for this run otherwise.
    pub gitlab: Option<Arc<GitlabClient>>,
    /// The workspace's lock, when the caller took it before reading anything (the report
    /// lists the remotes for its checks under it): the run then reads under the same lock.
    pub lock: Option<Arc<WorkspaceLock>>,
}

/// Returns the result of syncing `ws`; failures are inside the result, never lost.
pub fn sync_workspace(
    config: &Config,
    ws: &Workspace,
    opts: &SyncOptions,
    progress: &Progress,
) -> WorkspaceResult {
    let mut result = WorkspaceResult {
        name: ws.name.clone(),
        branches: Vec::new(),
        tags: Vec::new(),
        error: None,
    };
    let run_id = format!("{}-{}", jiff::Timestamp::now().as_millisecond(), std::process::id());
    // A signal before the run began: it does not begin (no new step starts).
    if let Some(stop) = interrupt::requested() {
        result.error = Some(Shown::from(&SyncError::Interrupted(stop)));
        return result;
    }
    let mut outcome = run(config, ws, opts, &run_id, progress, &mut result);
    // After a signal, a failure is the child the signal ended, and the run stopped: say so.
    if let (Err(e), Some(stop)) = (&outcome, interrupt::requested()) {
        tracing::debug!(workspace = %ws.name, "stopped by {}: {e}", stop.name());
        outcome = Err(SyncError::Interrupted(stop));
    }
    // A run that found the workspace busy did not run; a dry run writes no state.
    let ran = !opts.dry_run && !matches!(outcome, Err(SyncError::Lock(_)));
    if let Err(e) = outcome {
        result.error = Some(Shown::from(&e));
    }
    if ran {
        record::run_record(config, &run_id, &result);
    }
    result
}

fn run(
    config: &Config,
    ws: &Workspace,
    opts: &SyncOptions,
    run_id: &str,
    progress: &Progress,
    result: &mut WorkspaceResult,
) -> Result<(), SyncError> {
    let dir = WorkspaceDir::new(&config.bridge.cache_dir, &ws.name);
    // Everything the run decides from is read under the lock (docs/operations.md).
    let _lock = match &opts.lock {
        Some(held) => Arc::clone(held),
        None => Arc::new(lock_workspace(&dir, ws, opts.wait, progress)?),
    };
    let cache = Cache::open_or_init(&dir.cache())?;
    let git = Git::new(&config.bridge.git);
    // Before anything is read: a killed run's push may still be landing (docs/operations.md).
    interrupted::recover(&git, ws, &dir, opts.wait, opts.dry_run, progress)?;
    let gitlab = match (ws.protected_from, &config.gitlab, &opts.gitlab) {
        (ProtectedFrom::Gitlab, Some(_), Some(client)) => Some(Arc::clone(client)),
        (ProtectedFrom::Gitlab, Some(settings), None) => {
            Some(Arc::new(GitlabClient::new(settings, settings.timeout)?))
        }
        _ => None,
    };
    let facts = OnceCell::new();
    let kept = || opts.facts_slot.as_ref().and_then(|slot| facts_in(slot).clone());
    if let Some(known) = opts.facts.clone().or_else(kept) {
        let _ = facts.set(Some(known));
    }
    let mut remembered = Remembered::load(dir.pushes(), opts.retry_failed)?;
    remembered.recheck_pending(config, ws)?;
    let mut run = Run {
        gitlab: gitlab.as_deref(),
        remembered,
        config,
        ws,
        cache: &cache,
        opts,
        dir: &dir,
        run_id,
        facts: &facts,
        preflight: None,
        results: Vec::new(),
        warned_no_state: false,
        moving: None,
        listed: opts.listed.clone(),
        lfs_clients: lfs::LfsClients::default(),
        tag_results: Vec::new(),
        owners: HashMap::new(),
    };
    let mut only: Option<BTreeSet<BranchName>> =
        (!opts.branches.is_empty()).then(|| opts.branches.iter().cloned().collect());
    let mut attempts = || {
        for attempt in 1..=MAX_ATTEMPTS {
            let raced = run.attempt(&git, only.as_ref(), attempt == MAX_ATTEMPTS, progress)?;
            if raced.is_empty() {
                break;
            }
            only = Some(raced);
        }
        Ok(())
    };
    let mut outcome = attempts();
    if let (Ok(()), Some(branches)) = (&outcome, run.moving.take()) {
        outcome = Err(SyncError::Moving { branches });
    }
    if let (Ok(()), Some(stop)) = (&outcome, interrupt::requested()) {
        outcome = Err(SyncError::Interrupted(stop));
    }
    if !opts.dry_run {
        // Saved even after a failure: a push Git Fusion refused must stay remembered.
        outcome = outcome.and(run.remembered.save());
    }
    // Whatever happened before a failure is kept: those branches were written and journalled.
    run.results.sort_by(|a, b| a.plan.name.cmp(&b.plan.name));
    run.tag_results.sort_by(|a, b| a.plan.name.cmp(&b.plan.name));
    result.branches = run.results;
    result.tags = run.tag_results;
    outcome
}

/// Returns `ws`'s lock, waiting up to `wait` for another run to let go of it.
pub fn lock_workspace(
    dir: &WorkspaceDir,
    ws: &Workspace,
    wait: Duration,
    progress: &Progress,
) -> Result<WorkspaceLock, SyncError> {
    std::fs::create_dir_all(&dir.root).map_err(|source| SyncError::Dir {
        action: "create",
        path: dir.root.clone(),
        source,
    })?;
    Ok(WorkspaceLock::acquire(&dir.lock(), wait, || {
        tracing::info!(workspace = %ws.name, "waiting for another run to finish");
        progress.say(&format!("{}: waiting for another run to finish", ws.name));
    })?)
}

/// Git Fusion's facts, read on first need: a run with nothing for Git Fusion reads none.
type LazyFacts = OnceCell<Option<Arc<FusionFacts>>>;

/// Git Fusion's facts kept by a caller across runs ([`SyncOptions::facts_slot`]).
pub type FactsSlot = Arc<Mutex<Option<Arc<FusionFacts>>>>;

/// Returns what `slot` holds (a poisoned lock still holds a whole value: it is replaced at
/// once, never half written).
pub fn facts_in(slot: &FactsSlot) -> std::sync::MutexGuard<'_, Option<Arc<FusionFacts>>> {
    slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The state of one workspace's run across its attempts.
struct Run<'a> {
    gitlab: Option<&'a GitlabClient>,
    remembered: Remembered,
    config: &'a Config,
    facts: &'a LazyFacts,
    preflight: Option<Preflight<'a>>,
    ws: &'a Workspace,
    cache: &'a Cache,
    opts: &'a SyncOptions,
    dir: &'a WorkspaceDir,
    run_id: &'a str,
    results: Vec<BranchResult>,
    warned_no_state: bool,
    /// Branches that vanished from a remote during every attempt.
    moving: Option<String>,
    /// What the caller listed, until the first attempt uses it.
    listed: Option<Arc<Listed>>,
    /// Both sides' LFS servers, asked only when a push's commits hold pointers.
    lfs_clients: lfs::LfsClients,
    /// What became of each mirrored tag.
    tag_results: Vec<TagResult>,
    /// Per branch going to Git Fusion, the owner the preflight predicts for each commit,
    /// recorded in `predictions.jsonl` once the push is made.
    owners: HashMap<BranchName, Vec<PredictedOwner>>,
}

impl Run<'_> {
    /// Plans the branches in `only` (all when `None`), pushes, and returns the branches that
    /// lost a race and must be planned again.
    fn attempt(
        &mut self,
        git: &Git,
        only: Option<&BTreeSet<BranchName>>,
        last: bool,
        progress: &Progress,
    ) -> Result<BTreeSet<BranchName>, SyncError> {
        if let Some(stop) = interrupt::requested() {
            return Err(SyncError::Interrupted(stop));
        }
        let mut survey = survey::survey(
            git,
            self.ws,
            self.cache,
            only,
            survey::Sources {
                gitlab: self.gitlab,
                listed: self.listed.take().map(Arc::unwrap_or_clone),
                prefetch: &self.opts.prefetch,
            },
            progress,
        )?;
        // No base at all while branches exist on both sides: the state was lost (or this is
        // the first run over two populated remotes).
        let tips = survey.branches.values();
        let no_state = tips.clone().all(|t| t.base.is_none())
            && tips.clone().any(|t| t.gitlab.is_some() && t.fusion.is_some());
        if no_state && !self.opts.dry_run && !std::mem::replace(&mut self.warned_no_state, true) {
            // docs/output.md: without bases a force push cannot be told from new work.
            tracing::warn!(
                workspace = %self.ws.name,
                "no saved state for branches that exist on both sides: rewrites cannot be told from new work until both sides are seen equal (was {} lost?)",
                self.dir.root.display()
            );
        }
        let mut pushes = Vec::new();
        let mut journal = Vec::new();
        // What this attempt's branch pushes would bring to each side (a tag waits for them).
        let mut would_push = Vec::new();
        for (name, tips) in &survey.branches {
            let mut plan = analyse::plan_branch(self.cache, name, *tips)?;
            let confirmed = self.remembered.confirm_landed(&plan, self.ws);
            // A remembered failed or pending push wins over what ls-remote shows (docs/architecture.md).
            // The pass that reads a push's commits lists them (`None`: no pass was made).
            let read = if let Some(reason) = self.remembered.reason_for(&plan) {
                plan.reasons.push(reason);
                None
            } else if matches!(plan.action, Action::PushToFusion { .. }) {
                match self.preflight(&mut plan, &survey, git, progress)? {
                    Some(needed) => Some(needed),
                    // Without Git Fusion's settings, the specification's pointers are copied.
                    None => self.lfs_needed_spec(git, &mut plan, &survey)?,
                }
            } else if matches!(plan.action, Action::PushToGitlab { .. }) {
                if !plan.action.new_branch() {
                    plan.reasons.extend(self.gitlab_push_access(&plan)?);
                }
                self.lfs_needed_spec(git, &mut plan, &survey)?
            } else {
                None
            };
            match read {
                Some(needed) => self.lfs_plan(&mut plan, needed),
                None if plan.action.target().is_some() => {
                    plan.commits =
                        self.cache.commits_between(&analyse::push_range(&survey, &plan))?;
                }
                None => {}
            }
            tracing::debug!(branch = %name, action = plan.action.name(), commits = plan.commits.len(), "planned");
            if let (Some(to), false) = (plan.action.target(), plan.blocked()) {
                would_push.push((to, plan.tips.on(to.other()).expect("a push has a source tip")));
            }
            if plan.action.target().is_some() && !plan.blocked() && !self.opts.dry_run {
                pushes.push(plan);
                continue;
            }
            let mut result = self.settle_without_push(plan)?;
            if result.skip == Some(SkipCause::Attention) && !self.opts.dry_run {
                journal.push(record::refusal(self.run_id, &self.ws.name, &result.plan));
            }
            result.message = result.message.or(confirmed);
            self.results.push(result);
        }
        // A branch that vanished during the fetch is listed and planned again; one that keeps
        // moving through every attempt makes the run busy (exit 4), the others proceed.
        let moved = std::mem::take(&mut survey.moved);
        if last && !moved.is_empty() {
            let names: Vec<&str> = moved.iter().map(BranchName::as_str).collect();
            self.moving = Some(names.join(", "));
        }
        let replan = if last { BTreeSet::new() } else { moved };
        // Objects first: a branch whose objects could not be copied is not pushed.
        let mut ready = Vec::with_capacity(pushes.len());
        for plan in pushes {
            match self.lfs_copy(plan, progress) {
                Ok(plan) => ready.push(plan),
                Err(failed) => {
                    let target = failed.plan.action.target().expect("a push has a target");
                    journal.push(record::push_entry(self.run_id, &self.ws.name, target, &failed));
                    self.results.push(*failed);
                }
            }
        }
        let pushes = ready;
        // Every line so far is on disk before anything else can fail.
        self.write_journal(&std::mem::take(&mut journal))?;
        // Tags once the branch pushes are known: a tag's commit may arrive with one of them.
        let arriving: Vec<(Side, Oid)> = if self.opts.dry_run {
            would_push
        } else {
            pushes.iter().map(execute::branch_update).map(|(side, u)| (side, u.new)).collect()
        };
        let tag_pushes = self.plan_tags(git, &survey, &arriving, &mut journal)?;
        self.write_journal(&std::mem::take(&mut journal))?;
        if pushes.is_empty() && tag_pushes.is_empty() {
            return Ok(replan);
        }
        // A signal before the push: nothing is started (docs/operations.md).
        if let Some(stop) = interrupt::requested() {
            return Err(SyncError::Interrupted(stop));
        }
        progress.say(&format!(
            "{}: pushing {} branch(es) and {} tag(s)",
            self.ws.name,
            pushes.len(),
            tag_pushes.len()
        ));
        let mut updates: Vec<_> = pushes.iter().map(execute::branch_update).collect();
        updates.extend(tag_pushes.iter().map(execute::tag_update));
        let on_spawn = interrupted::begin(self.dir, self.run_id, &self.ws.name, &updates)?;
        let mut pushed = execute::push_all(&git.pushing(on_spawn), self.cache, self.ws, updates);
        // A second signal killed the pushes and is ending the process: record nothing.
        interrupt::halt_if_stopping();
        for plan in tag_pushes {
            let outcome = pushed
                .remove(&RefName::Tag(plan.name.clone()))
                .expect("push_all answers for every tag");
            let result = self.settle_tag_push(plan, outcome);
            journal.push(record::tag_entry(self.run_id, &self.ws.name, &result));
            self.tag_results.push(result);
        }
        let mut raced = BTreeSet::new();
        let mut failure = None;
        for plan in pushes {
            let outcome = pushed
                .remove(&RefName::Branch(plan.name.clone()))
                .expect("push_all answers for every plan");
            let target = plan.action.target().expect("a push has a target");
            let entry = |result: &BranchResult| {
                record::push_entry(self.run_id, &self.ws.name, target, result)
            };
            if matches!(outcome, PushResult::LostRace) && !last {
                journal.push(entry(&raced_result(&plan)));
                raced.insert(plan.name.clone());
                continue;
            }
            if let PushResult::Error { side, message } = &outcome {
                failure.get_or_insert_with(|| SyncError::Push {
                    side: *side,
                    message: message.clone(),
                });
            }
            // A push that reached a remote is journalled even when settling it fails.
            let result = match self.settle_push(plan.clone(), outcome.clone()) {
                Ok(result) => result,
                Err(e) => {
                    let result = unsettled(plan, &outcome, &e);
                    failure.get_or_insert(e);
                    result
                }
            };
            journal.push(entry(&result));
            self.results.push(result);
        }
        self.write_journal(&journal)?;
        // Every push is journalled: nothing is left under way.
        inflight::clear(&self.dir.inflight())?;
        if let Some(error) = failure {
            return Err(error);
        }
        Ok(raced.into_iter().chain(replan).collect())
    }

    fn write_journal(&self, entries: &[Entry]) -> Result<(), SyncError> {
        Ok(journal::append(&self.dir.journal(), entries)?)
    }
}

/// Returns the result of a push that lost a race and is planned again: journalled as
/// `skipped`, so that its `started` line has an answer.
fn raced_result(plan: &BranchPlan) -> BranchResult {
    BranchResult {
        plan: plan.clone(),
        outcome: crate::outcome::Outcome::Skipped,
        skip: Some(SkipCause::Raced),
        message: Some("the remote moved since planning; planned again".into()),
    }
}

/// Returns the result of a push whose settling failed with `error`: what the remote said,
/// and the failure, so that the journal keeps the push.
fn unsettled(plan: BranchPlan, pushed: &PushResult, error: &SyncError) -> BranchResult {
    use crate::outcome::Outcome;
    let (outcome, what) = match pushed {
        PushResult::Done { .. } | PushResult::AlreadyThere => (Outcome::Done, "pushed"),
        PushResult::Refused(_) => (Outcome::Failed, "refused"),
        PushResult::LostRace | PushResult::Error { .. } => (Outcome::Skipped, "not pushed"),
    };
    let message = format!("{what}, but settling it failed: {}", crate::errors::chain(error));
    BranchResult { plan, outcome, skip: None, message: Some(message) }
}
