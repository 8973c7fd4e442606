//! Human output for a terminal or a log: one line per branch that reads at a glance (action,
//! outcome, short ids, counts, the commits involved), then a summary line per workspace.
//! Errors are not repeated here: the CLI prints each once, on stderr.

use std::fmt::Write;

use crate::outcome::Planned;
use crate::outcome::{Tally, WorkspaceResult};

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
        let action = b.plan.action_label();
        let mut line = format!(
            "  {:<width$}  {:<20} {:<8} {}",
            b.plan.name,
            action,
            b.outcome.name(),
            b.plan.describe()
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
    for t in &ws.tags {
        let mut line = format!(
            "  tag {:<width$}  {:<20} {:<8} {}",
            t.plan.name,
            t.plan.action_label(),
            t.outcome.name(),
            t.plan.describe(),
            width = width.saturating_sub(4)
        );
        if let Some(message) = &t.message {
            let _ = write!(line, "; {message}");
        }
        out.push_str(line.trim_end());
        out.push('\n');
        for r in &t.plan.reasons {
            let effect = if r.blocks { "blocks" } else { "note" };
            let _ = writeln!(out, "      {effect}: {}", r.line());
        }
    }
    if ws.branches.is_empty() && ws.error.is_none() {
        out.push_str("  no mirrored branch exists on either side\n");
    }
    if ws.error.is_some() {
        out.push_str("  stopped by the error printed on stderr\n");
    }
    let _ = writeln!(out, "  {}", summary(ws));
}

fn summary(ws: &WorkspaceResult) -> String {
    // Every branch is counted in exactly one category; in sync and pushed are always shown.
    let parts: Vec<String> = ws
        .tally()
        .into_iter()
        .filter(|(t, n)| *n > 0 || matches!(t, Tally::InSync | Tally::Pushed))
        .map(|(t, n)| format!("{n} {}", t.words()))
        .collect();
    format!("exit {}: {}", ws.exit().code(), parts.join(", "))
}
