//! Human output for a terminal or a log: one line per branch that reads at a glance (action,
//! outcome, short ids, counts, the commits involved), then a summary line per workspace.

use std::fmt::Write;

use crate::outcome::{Outcome, WorkspaceResult};
use crate::sync::describe;

/// Returns the text for a sync of `workspaces`.
pub fn sync(workspaces: &[WorkspaceResult], dry_run: bool) -> String {
    let mut out = String::new();
    if dry_run {
        out.push_str("dry run: nothing was written to either remote\n");
    }
    for ws in workspaces {
        workspace(&mut out, ws);
    }
    out
}

fn workspace(out: &mut String, ws: &WorkspaceResult) {
    let width = ws.branches.iter().map(|b| b.plan.name.len()).max().unwrap_or(0);
    let _ = writeln!(out, "{}:", ws.name);
    for b in &ws.branches {
        let action = match b.plan.action.side() {
            Some(side) => format!("{} ({})", b.plan.action_name(), side.as_str()),
            None => b.plan.action_name().to_string(),
        };
        let mut line = format!(
            "  {:<width$}  {:<20} {:<8} {}",
            b.plan.name,
            action,
            b.outcome.name(),
            describe(&b.plan)
        );
        if let Some(message) = &b.message {
            let _ = write!(line, "; {message}");
        }
        out.push_str(line.trim_end());
        out.push('\n');
        for r in &b.plan.reasons {
            let effect = if r.blocks { "blocks" } else { "note" };
            let _ = writeln!(out, "      {effect}: {}", r.line());
        }
    }
    if ws.branches.is_empty() && ws.error.is_none() {
        out.push_str("  no mirrored branch exists on either side\n");
    }
    if let Some((_, message)) = &ws.error {
        let _ = writeln!(out, "  error: {message}");
    }
    let _ = writeln!(out, "  {}", summary(ws));
}

fn summary(ws: &WorkspaceResult) -> String {
    let count = |f: &dyn Fn(&crate::outcome::BranchResult) -> bool| {
        ws.branches.iter().filter(|b| f(b)).count()
    };
    let in_sync = count(&|b| b.plan.action.name() == "in_sync");
    let pushed = count(&|b| b.plan.action.target().is_some() && b.outcome == Outcome::Done);
    let attention = count(&|b| b.exit() == crate::exit::Exit::Attention);
    let other = ws.branches.len() - in_sync - pushed - attention;
    let mut parts = vec![format!("{in_sync} in sync"), format!("{pushed} pushed")];
    if attention > 0 {
        parts.push(format!("{attention} need attention"));
    }
    if other > 0 {
        parts.push(format!("{other} not written"));
    }
    format!("exit {}: {}", ws.exit().code(), parts.join(", "))
}
