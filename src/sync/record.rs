//! The journal lines of one run (SPEC §9): what each push did, and each refusal.

use crate::outcome::{BranchPlan, BranchResult};
use crate::plan::{Action, Side};
use crate::state::journal::{now_rfc3339, Entry};

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
