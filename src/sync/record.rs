//! What a run leaves behind: its journal lines (SPEC §9: what each push did, and each
//! refusal), and its line in `runs.jsonl` for `status` (SPEC §15.2).

use crate::config::Config;
use crate::outcome::{BranchPlan, BranchResult, SkipCause, TagResult, Tally, WorkspaceResult};
use crate::plan::{Action, Side};
use crate::state::journal::{now_rfc3339, Entry};
use crate::state::runs::{self, NeededAttention, RunRecord};
use crate::state::WorkspaceDir;
use crate::tags::TagAction;

use super::analyse::describe;

/// Returns the journal line for a push's result.
pub fn push_entry(run: &str, workspace: &str, result: &BranchResult) -> Entry {
    let plan = &result.plan;
    let target = plan.action.target().expect("only pushes are journalled here");
    let outcome = result.outcome.name();
    let mut message = describe(plan);
    if let Some(extra) = &result.message {
        message = format!("{message}; {extra}");
    }
    Entry {
        time: now_rfc3339(),
        run: run.to_string(),
        workspace: workspace.to_string(),
        kind: "branch",
        branch: plan.name.to_string(),
        remote: Some(target.as_str()),
        action: plan.action.name(),
        old: plan.tips.on(target),
        new: plan.tips.on(target.other()),
        outcome,
        message,
    }
}

/// Returns the journal line for an attention outcome: nothing was written.
pub fn refusal(run: &str, workspace: &str, plan: &BranchPlan) -> Entry {
    let tips = plan.tips;
    // For refusals `old` is what stays and `new` what would have replaced it (SPEC §9).
    let (old, new) = match plan.action {
        Action::Deleted { .. } => (tips.base, None),
        Action::Rewritten { side } => (tips.base, tips.on(side)),
        _ => (tips.fusion, tips.gitlab),
    };
    // A blocked push names the side it would have written.
    let remote = plan.blocked().then_some(Side::Fusion.as_str());
    let mut message = describe(plan);
    for reason in plan.reasons.iter().filter(|r| r.blocks) {
        message = format!("{message}; {}: {}", reason.code, reason.message);
    }
    Entry {
        time: now_rfc3339(),
        run: run.to_string(),
        workspace: workspace.to_string(),
        kind: "branch",
        branch: plan.name.to_string(),
        remote,
        action: plan.action_name(),
        old,
        new,
        outcome: "refused",
        message,
    }
}

/// Returns the journal line for a tag: pushed (`outcome` of the push) or refused.
pub fn tag_entry(run: &str, workspace: &str, result: &TagResult) -> Entry {
    let plan = &result.plan;
    let (remote, old, new) = match plan.action {
        TagAction::Push { to } => {
            let source = if to == Side::Fusion { plan.gitlab } else { plan.fusion };
            (Some(to.as_str()), None, source.map(|t| t.object))
        }
        _ => (None, plan.fusion.map(|t| t.object), plan.gitlab.map(|t| t.object)),
    };
    let outcome =
        if result.skip == Some(SkipCause::Attention) { "refused" } else { result.outcome.name() };
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
        kind: "tag",
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
