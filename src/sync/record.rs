//! What a run leaves behind: its journal lines (docs/output.md: what each push did, and each
//! refusal), and its line in `runs.jsonl` for `status` (docs/output.md).

use crate::config::Config;
use crate::git::remote::Update;
use crate::oid::Oid;
use crate::outcome::Planned;
use crate::outcome::{BranchPlan, BranchResult, SkipCause, TagResult, Tally, WorkspaceResult};
use crate::plan::{Action, Side};
use crate::refname::{RefKind, HEADS, TAGS};
use crate::state::inflight::{InFlight, StartedUpdate};
use crate::state::journal::{now_rfc3339, Entry, Logged};
use crate::state::runs::{self, NeededAttention, RunRecord};
use crate::state::WorkspaceDir;
use crate::tags::TagAction;

/// Returns the journal line for the result of a push to `target`. A push that found `target`
/// already at its commit (settled in sync) wrote nothing: `skipped`.
pub fn push_entry(run: &str, workspace: &str, target: Side, result: &BranchResult) -> Entry {
    let plan = &result.plan;
    let outcome =
        if plan.action == Action::InSync { Logged::Skipped } else { result.outcome.into() };
    let mut message = plan.describe();
    if let Some(extra) = &result.message {
        message = if message.is_empty() { extra.clone() } else { format!("{message}; {extra}") };
    }
    Entry {
        time: now_rfc3339(),
        run: run.to_string(),
        workspace: workspace.to_string(),
        kind: RefKind::Branch,
        branch: plan.name.to_string(),
        remote: Some(target),
        action: push_action(target),
        old: plan.tips.on(target),
        new: plan.tips.on(target.other()),
        outcome,
        message,
    }
}

/// Returns the journal lines announcing `updates` before their push starts (`outcome:
/// started`): a push that lands after its run was killed is then in the journal all the same.
pub fn started(run: &str, workspace: &str, updates: &[(Side, Update)]) -> Vec<Entry> {
    let time = now_rfc3339();
    updates
        .iter()
        .map(|(side, u)| Entry {
            time: time.clone(),
            run: run.to_string(),
            workspace: workspace.to_string(),
            kind: u.target.kind(),
            branch: u.target.short().to_string(),
            remote: Some(*side),
            action: push_action(*side),
            old: u.expected,
            new: Some(u.new),
            outcome: Logged::Started,
            message: format!("pushing {} to {}", u.new.short(), side.as_str()),
        })
        .collect()
}

/// Returns the journal lines that finish the record of pushes an interrupted run started:
/// `done` where `held` says the remote now holds the pushed object, else `lost`.
pub fn interrupted(
    workspace: &str,
    left: &InFlight,
    held: impl Fn(&StartedUpdate) -> Option<Oid>,
) -> Vec<Entry> {
    let time = now_rfc3339();
    left.updates
        .iter()
        .map(|u| {
            let now = held(u);
            let (outcome, message) = if now == Some(u.new) {
                (Logged::Done, format!("the push of interrupted run {} landed", left.run))
            } else {
                let shown = now.map_or_else(|| "nothing".to_string(), |o| o.short());
                (
                    Logged::Lost,
                    format!(
                        "the push of interrupted run {} did not land: {} holds {shown}",
                        left.run,
                        u.remote.as_str()
                    ),
                )
            };
            let (kind, name) = match u.ref_name.strip_prefix(HEADS) {
                Some(branch) => (RefKind::Branch, branch),
                None => (RefKind::Tag, u.ref_name.strip_prefix(TAGS).unwrap_or(&u.ref_name)),
            };
            Entry {
                time: time.clone(),
                run: left.run.clone(),
                workspace: workspace.to_string(),
                kind,
                branch: name.to_string(),
                remote: Some(u.remote),
                action: push_action(u.remote),
                old: u.old,
                new: Some(u.new),
                outcome,
                message,
            }
        })
        .collect()
}

/// Returns the action name of a push to `side`.
fn push_action(side: Side) -> &'static str {
    match side {
        Side::Gitlab => "push_to_gitlab",
        Side::Fusion => "push_to_fusion",
    }
}

/// Returns the journal line for an attention outcome: nothing was written.
pub fn refusal(run: &str, workspace: &str, plan: &BranchPlan) -> Entry {
    let tips = plan.tips;
    // For refusals `old` is what stays and `new` what would have replaced it (docs/output.md).
    let (old, new) = match plan.action {
        Action::Deleted { .. } => (tips.base, None),
        Action::Rewritten { side } => (tips.base, tips.on(side)),
        _ => (tips.fusion, tips.gitlab),
    };
    // A blocked push names the side it would have written.
    let remote = plan.blocked().then_some(Side::Fusion);
    let mut message = plan.describe();
    for reason in plan.reasons.iter().filter(|r| r.blocks) {
        message = format!("{message}; {}: {}", reason.code, reason.message);
    }
    Entry {
        time: now_rfc3339(),
        run: run.to_string(),
        workspace: workspace.to_string(),
        kind: RefKind::Branch,
        branch: plan.name.to_string(),
        remote,
        action: plan.action_name(),
        old,
        new,
        outcome: Logged::Refused,
        message,
    }
}

/// Returns the journal line for a tag: pushed (`outcome` of the push) or refused.
pub fn tag_entry(run: &str, workspace: &str, result: &TagResult) -> Entry {
    let plan = &result.plan;
    let (remote, old, new) = match plan.action {
        TagAction::Push { to } => {
            let source = if to == Side::Fusion { plan.gitlab } else { plan.fusion };
            (Some(to), None, source.map(|t| t.object))
        }
        _ => (None, plan.fusion.map(|t| t.object), plan.gitlab.map(|t| t.object)),
    };
    let outcome = if result.skip == Some(SkipCause::Attention) {
        Logged::Refused
    } else {
        result.outcome.into()
    };
    let mut message = plan.describe();
    for reason in &plan.reasons {
        message = format!("{message}; {}: {}", reason.code, reason.message);
    }
    if let Some(extra) = &result.message {
        message = format!("{message}; {extra}");
    }
    Entry {
        time: now_rfc3339(),
        run: run.to_string(),
        workspace: workspace.to_string(),
        kind: RefKind::Tag,
        branch: plan.name.to_string(),
        remote,
        action: plan.action_name(),
        old,
        new,
        outcome,
        message,
    }
}

/// Appends the run to `runs.jsonl` for `status`; a failure to do so is logged, not fatal
/// (the run itself is journalled already).
pub fn run_record(config: &Config, run_id: &str, result: &WorkspaceResult) {
    let needs = |tally: Tally| matches!(tally, Tally::Attention | Tally::Failed);
    let action = |tally: Tally, name: &str| match tally {
        Tally::Failed => "failed".to_string(),
        _ => name.to_string(),
    };
    let branches = result.branches.iter().filter(|b| needs(b.tally())).map(|b| NeededAttention {
        ref_name: b.plan.name.to_string(),
        action: action(b.tally(), b.plan.action_name()),
    });
    let tags = result.tags.iter().filter(|t| needs(t.tally())).map(|t| NeededAttention {
        ref_name: format!("refs/tags/{}", t.plan.name),
        action: action(t.tally(), t.plan.action_name()),
    });
    let attention = branches.chain(tags).collect();
    let record = RunRecord {
        run: run_id.to_string(),
        time: now_rfc3339(),
        exit_code: result.exit().code(),
        attention,
        error: result.error.as_ref().map(|e| e.message.clone()),
    };
    let dir = WorkspaceDir::new(&config.bridge.cache_dir, &result.name);
    if let Err(e) = runs::append(&dir.runs(), &record) {
        tracing::warn!(workspace = %result.name, "cannot record the run for `status`: {e}");
    }
}
