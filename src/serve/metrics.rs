//! What `GET /metrics` serves (docs/operations.md): runs and branch outcomes per workspace and action,
//! pushes, Git Fusion confirmations, last success time, run durations, webhook requests by
//! status, the queue, branches needing attention, and the build's version. OpenMetrics text from prometheus-client.
//!
//! Must not decide anything: it counts what the scheduler, the runs and the handlers report.

use std::sync::atomic::AtomicU64;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

use crate::outcome::Planned;
use crate::outcome::{Outcome, Tally, WorkspaceResult};
use crate::plan::Side;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WorkspaceLabel {
    workspace: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RunLabels {
    workspace: String,
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BranchLabels {
    workspace: String,
    action: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PushLabels {
    workspace: String,
    remote: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConfirmLabels {
    workspace: String,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    workspace: String,
    source: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WebhookLabels {
    endpoint: &'static str,
    status: u16,
}

type DurationFamily = Family<WorkspaceLabel, Histogram, fn() -> Histogram>;

/// The service's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    runs: Family<RunLabels, Counter>,
    branches: Family<BranchLabels, Counter>,
    pushes: Family<PushLabels, Counter>,
    confirmations: Family<ConfirmLabels, Counter>,
    last_success: Family<WorkspaceLabel, Gauge<f64, AtomicU64>>,
    durations: DurationFamily,
    requests: Family<RequestLabels, Counter>,
    webhooks: Family<WebhookLabels, Counter>,
    running: Gauge,
    queued: Gauge,
    attention: Family<WorkspaceLabel, Gauge>,
    panics: Family<ThreadLabel, Counter>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ThreadLabel {
    thread: &'static str,
}

fn duration_histogram() -> Histogram {
    // 50 ms .. ~27 min: a no-op run up to a large initial sync with confirmation waits.
    Histogram::new(exponential_buckets(0.05, 2.0, 16))
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Returns the registry with every metric registered at zero.
    pub fn new() -> Metrics {
        let mut m = Metrics {
            registry: Registry::default(),
            runs: Family::default(),
            branches: Family::default(),
            pushes: Family::default(),
            confirmations: Family::default(),
            last_success: Family::default(),
            durations: Family::new_with_constructor(duration_histogram),
            requests: Family::default(),
            webhooks: Family::default(),
            running: Gauge::default(),
            queued: Gauge::default(),
            attention: Family::default(),
            panics: Family::default(),
        };
        let r = &mut m.registry;
        r.register("gfbridge_runs", "Sync runs by workspace and result", m.runs.clone());
        r.register("gfbridge_branch_outcomes", "Branch outcomes by action", m.branches.clone());
        r.register("gfbridge_pushes", "Pushes made, by remote", m.pushes.clone());
        r.register(
            "gfbridge_fusion_confirmations",
            "Pushes to Git Fusion by confirmation status",
            m.confirmations.clone(),
        );
        r.register(
            "gfbridge_last_success_timestamp_seconds",
            "Unix time of the workspace's last run that ended without an operational failure",
            m.last_success.clone(),
        );
        r.register("gfbridge_run_duration_seconds", "Run durations", m.durations.clone());
        r.register(
            "gfbridge_sync_requests",
            "Requests for a run, by source (queued or coalesced)",
            m.requests.clone(),
        );
        r.register("gfbridge_webhook_requests", "HTTP hook requests by status", m.webhooks.clone());
        r.register("gfbridge_runs_in_progress", "Runs in progress", m.running.clone());
        r.register("gfbridge_runs_queued", "Runs waiting to start", m.queued.clone());
        r.register(
            "gfbridge_branches_needing_attention",
            "Mirrored refs (branches and tags) the workspace's last run left needing a person (attention or failed push)",
            m.attention.clone(),
        );
        r.register(
            "gfbridge_panics",
            "Panics caught in worker and poller threads",
            m.panics.clone(),
        );
        let version = Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]);
        r.register("gfbridge_build", "The running gfbridge's version", version);
        m
    }

    /// Counts a request for a run of `workspace` from `source` (startup, poll, webhook, trigger).
    pub fn requested(&self, workspace: &str, source: &'static str) {
        let labels = RequestLabels { workspace: workspace.to_string(), source };
        self.requests.get_or_create(&labels).inc();
    }

    /// Counts an answer of a hook endpoint.
    pub fn answered(&self, endpoint: &'static str, status: u16) {
        self.webhooks.get_or_create(&WebhookLabels { endpoint, status }).inc();
    }

    /// Counts a panic caught in a `worker` or the `poller`.
    pub fn panicked(&self, thread: &'static str) {
        self.panics.get_or_create(&ThreadLabel { thread }).inc();
    }

    /// Sets the queue gauges.
    pub fn load(&self, running: usize, queued: usize) {
        self.running.set(i64::try_from(running).unwrap_or(i64::MAX));
        self.queued.set(i64::try_from(queued).unwrap_or(i64::MAX));
    }

    /// Records a finished run.
    pub fn run(&self, result: &WorkspaceResult, took: Duration) {
        let workspace = &result.name;
        let labels = RunLabels { workspace: workspace.clone(), result: result.exit().name() };
        self.runs.get_or_create(&labels).inc();
        let ws = WorkspaceLabel { workspace: workspace.clone() };
        self.durations.get_or_create(&ws).observe(took.as_secs_f64());
        // Every mirrored ref counts: branches and tags (docs/operations.md).
        let needs = |tally: Tally| matches!(tally, Tally::Attention | Tally::Failed);
        let attention = result.branches.iter().filter(|b| needs(b.tally())).count()
            + result.tags.iter().filter(|t| needs(t.tally())).count();
        self.attention.get_or_create(&ws).set(i64::try_from(attention).unwrap_or(i64::MAX));
        if result.error.is_none() {
            let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
            self.last_success.get_or_create(&ws).set(now.as_secs_f64());
        }
        for branch in &result.branches {
            let outcome = branch.outcome.name();
            let action = branch.plan.action_name();
            let labels = BranchLabels { workspace: workspace.clone(), action, outcome };
            self.branches.get_or_create(&labels).inc();
            let pushed = matches!(branch.outcome, Outcome::Done | Outcome::Pending);
            let Some(target) = branch.plan.action.target().filter(|_| !branch.plan.blocked())
            else {
                continue;
            };
            let remote = target.as_str();
            if pushed {
                self.pushes
                    .get_or_create(&PushLabels { workspace: workspace.clone(), remote })
                    .inc();
            }
            if target == Side::Fusion && branch.outcome != Outcome::Skipped {
                let status = match branch.outcome {
                    Outcome::Done => "confirmed",
                    Outcome::Pending => "pending",
                    _ => "failed",
                };
                let labels = ConfirmLabels { workspace: workspace.clone(), status };
                self.confirmations.get_or_create(&labels).inc();
            }
        }
    }

    /// Returns the OpenMetrics text.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        encode(&mut text, &self.registry).expect("writing to a String cannot fail");
        text
    }
}
