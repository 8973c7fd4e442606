//! What a run leaves behind: its journal lines (SPEC §9: what each push did, and each
//! refusal), and its line in `runs.jsonl` for `status` (SPEC §15.2).

use crate::config::Config;
use crate::outcome::{BranchPlan, BranchResult, Tally, WorkspaceResult};
use crate::plan::{Action, Side};
use crate::state::journal::{now_rfc3339, Entry};
use crate::state::runs::{self, NeededAttention, RunRecord};
use crate::state::WorkspaceDir;

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
        branch: plan.name.clone(),
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
        branch: plan.name.clone(),
        remote,
        action: plan.action_name(),
        old,
        new,
        outcome: "refused",
        message,
    }
}

/// Appends the run to `runs.jsonl` for `status`; a failure to do so is logged, not fatal
/// (the run itself is journalled already).
pub fn run_record(config: &Config, run_id: &str, result: &WorkspaceResult) {
    let attention = result
        .branches
        .iter()
        .filter(|b| matches!(b.tally(), Tally::Attention | Tally::Failed))
        .map(|b| NeededAttention {
            ref_name: b.plan.name.to_string(),
            action: match b.tally() {
                Tally::Failed => "failed".to_string(),
                _ => b.plan.action_name().to_string(),
            },
        })
        .collect();
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
