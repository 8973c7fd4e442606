//! The threads behind the service: workers that run the queued syncs (bounded concurrency) and
//! the poller that queues each workspace every `interval`, with jitter.
//!
//! Must not answer HTTP; the scheduler decides what runs and when a follow-up is due.

use std::hash::{BuildHasher, RandomState};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::health::Health;
use super::metrics::Metrics;
use super::scheduler::{Requested, Scheduler};
use super::warm::WarmFacts;
use crate::config::{Config, Workspace};
use crate::outcome::Planned;
use crate::outcome::{BranchResult, Outcome, Tally, WorkspaceResult};
use crate::plan::Action;
use crate::progress::Progress;
use crate::sync::{sync_workspace, Announced, SyncOptions};

/// What the workers and the poller share.
pub struct Shared {
    /// The validated config.
    pub config: Arc<Config>,
    /// The run queue.
    pub scheduler: Arc<Scheduler>,
    /// Where runs are counted.
    pub metrics: Arc<Metrics>,
    /// When each workspace last completed a run (`/healthz`).
    pub health: Health,
    /// One GitLab API client for every run of the process (its connections are reused).
    pub gitlab: Option<Arc<crate::gitlab::GitlabClient>>,
    /// Git Fusion's facts, kept between each workspace's runs.
    pub facts: WarmFacts,
}

impl Shared {
    /// Queues a run of `workspace` from `source`, counting the request; `branch` is the one a
    /// webhook announced.
    pub fn request(
        &self,
        workspace: &str,
        source: &'static str,
        announced: Option<&Announced>,
    ) -> Requested {
        let requested = self.scheduler.request(workspace, announced);
        if matches!(requested, Requested::Queued | Requested::Coalesced) {
            self.metrics.requested(workspace, source);
        }
        requested
    }
}

/// Starts `jobs` worker threads; they return once the scheduler stops and their run ends.
pub fn start_workers(shared: &Arc<Shared>, jobs: usize) -> Vec<JoinHandle<()>> {
    (0..jobs.max(1))
        .map(|i| {
            let shared = Arc::clone(shared);
            std::thread::Builder::new()
                .name(format!("gfbridge-worker-{i}"))
                .spawn(move || work(&shared))
                .expect("a thread can be started")
        })
        .collect()
}

fn work(shared: &Shared) {
    while let Some(due) = shared.scheduler.next() {
        if let Some(ws) = shared.config.workspace(&due.workspace) {
            run_one(shared, ws, due.announced);
        }
        shared.scheduler.finished(&due.workspace);
    }
}

/// Runs one sync of `ws`; a panic is logged and the worker carries on.
fn run_one(shared: &Shared, ws: &Workspace, announced: Vec<Announced>) {
    // Asked at each run: a cutover may retire a workspace while the service runs.
    match crate::state::retired::of(&shared.config.bridge.cache_dir, &ws.name) {
        Ok(None) => {}
        Ok(Some(r)) => {
            tracing::info!(workspace = %ws.name, "retired by cutover at {}: skipped", r.at);
            return;
        }
        Err(e) => {
            tracing::warn!(workspace = %ws.name, "not synced: cannot tell whether it is retired: {e}");
            return;
        }
    }
    // A cron job holding the workspace's lock finishes first; waiting longer than a poll
    // period would only pile up behind it.
    let opts = SyncOptions {
        wait: ws.interval,
        prefetch: announced,
        gitlab: shared.gitlab.clone(),
        facts_slot: shared.facts.slot(ws),
        ..SyncOptions::default()
    };
    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| {
        sync_workspace(&shared.config, ws, &opts, &Progress::hidden())
    }));
    let took = start.elapsed();
    match result {
        Ok(result) => {
            log_result(&result, took);
            shared.metrics.run(&result, took);
            shared.health.completed(&ws.name);
        }
        Err(_) => {
            // Not completed: /healthz turns unhealthy if this keeps happening.
            shared.metrics.panicked("worker");
            tracing::error!(workspace = %ws.name, "sync panicked; the next request runs it again")
        }
    }
}

fn log_result(result: &WorkspaceResult, took: Duration) {
    let ms = u64::try_from(took.as_millis()).unwrap_or(u64::MAX);
    if let Some(error) = result.error.as_ref().map(|e| &e.message) {
        tracing::error!(workspace = %result.name, duration_ms = ms, "sync failed: {error}");
        return;
    }
    for branch in &result.branches {
        if branch.plan.action == Action::InSync && branch.outcome == Outcome::Done {
            continue;
        }
        tracing::info!(
            workspace = %result.name,
            branch = %branch.plan.name,
            action = branch.plan.action_name(),
            outcome = branch.outcome.name(),
            message = %log_message(branch),
            "branch"
        );
    }
    // Tags are logged like branches: in sync and settled says nothing new (docs/operations.md).
    for tag in result.tags.iter().filter(|t| t.tally() != Tally::InSync) {
        let why = tag.why();
        let what = tag.plan.describe();
        tracing::info!(
            workspace = %result.name,
            tag = %tag.plan.name,
            action = tag.plan.action_name(),
            outcome = tag.outcome.name(),
            message = %if why.is_empty() { what } else { format!("{what}; {why}") },
            "tag"
        );
    }
    tracing::info!(workspace = %result.name, result = result.exit().name(), duration_ms = ms, "sync done");
}

/// Returns what a branch's log line says: what the plan concerns, the run's message and
/// every reason, so a blocked branch's log names why.
fn log_message(branch: &BranchResult) -> String {
    let why = branch.why();
    let what = branch.plan.describe();
    match (what.is_empty(), why.is_empty()) {
        (_, true) => what,
        (true, false) => why,
        (false, false) => format!("{what}; {why}"),
    }
}

/// Starts the poller: each workspace is queued every `interval` plus up to 10% jitter, so
/// many workspaces with the same interval do not all fire at once.
pub fn start_poller(shared: &Arc<Shared>) -> JoinHandle<()> {
    let shared = Arc::clone(shared);
    std::thread::Builder::new()
        .name("gfbridge-poller".into())
        .spawn(move || {
            // A panicking poller would leave the service polling nothing: count it, start over.
            while catch_unwind(AssertUnwindSafe(|| poll(&shared))).is_err() {
                shared.metrics.panicked("poller");
                tracing::error!("the poller panicked; polling starts again");
            }
        })
        .expect("a thread can be started")
}

fn poll(shared: &Shared) {
    let workspaces = &shared.config.workspaces;
    let start = Instant::now();
    let mut due: Vec<Instant> =
        workspaces.iter().map(|ws| start + with_jitter(ws.interval)).collect();
    loop {
        let Some((i, when)) = due.iter().copied().enumerate().min_by_key(|(_, when)| *when) else {
            return;
        };
        if shared.scheduler.wait_for_stop(when.saturating_duration_since(Instant::now())) {
            return;
        }
        if Instant::now() >= when {
            shared.request(&workspaces[i].name, "poll", None);
            due[i] = Instant::now() + with_jitter(workspaces[i].interval);
        }
    }
}

/// Returns `interval` plus a random 0–10% of it.
fn with_jitter(interval: Duration) -> Duration {
    let random = RandomState::new().hash_one(Instant::now().elapsed());
    interval + interval.mul_f64((random % 1000) as f64 / 10_000.0)
}
