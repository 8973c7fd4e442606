//! `report --format text`: a compact verdict per workspace first, with what blocks it grouped
//! by who must act; details after, problem branches first. Colour only
//! when asked for (the CLI asks when stdout is a terminal and `NO_COLOR` is unset); the words
//! READY / NOT READY, pass / skip / warn / fail always carry the meaning.

use std::fmt::Write;

use crate::checks::Status;
use crate::outcome::BranchResult;
use crate::outcome::Planned;
use crate::report::verdict::grouped;
use crate::report::{Report, WorkspaceReport};

/// Commits listed per branch; the rest are counted (JSON, Markdown and HTML list them all).
const COMMITS_SHOWN: usize = 20;

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn verdict(&self, ready: bool) -> String {
        if ready {
            self.wrap("1;32", "READY")
        } else {
            self.wrap("1;31", "NOT READY")
        }
    }
    fn status(&self, status: Status) -> String {
        match status {
            Status::Pass => self.wrap("32", "pass"),
            Status::Skip => self.wrap("2", "skip"),
            Status::Warn => self.wrap("33", "warn"),
            Status::Fail => self.wrap("31", "fail"),
        }
    }
}

/// Returns the text report; `colour` adds ANSI colour.
pub fn render(report: &Report, colour: bool) -> String {
    let paint = Paint(colour);
    let mut out = String::new();
    let ready = report.workspaces.iter().filter(|w| w.ready()).count();
    let _ = writeln!(
        out,
        "gfbridge cutover report, {} ({})\n{}: {ready} of {} workspace(s) ready",
        report.generated_at,
        crate::output::version(),
        paint.verdict(report.ready()),
        report.workspaces.len()
    );
    for ws in &report.workspaces {
        let _ = writeln!(out, "\n  {}: {}", ws.name, paint.verdict(ws.ready()));
        let blockers = ws.blockers();
        for (who, group) in grouped(&blockers) {
            let _ = writeln!(out, "    {}:", who.heading());
            for b in group {
                let _ = writeln!(out, "      - {}", b.line());
            }
        }
        let accepted = ws.accepted_unchecked();
        if !accepted.is_empty() {
            let _ = writeln!(out, "    Accepted without checking:");
            for c in accepted {
                let _ = writeln!(out, "      - {} ({})", c.id, c.message);
            }
        }
    }
    for ws in &report.workspaces {
        details(&mut out, ws, &paint);
    }
    out
}

fn details(out: &mut String, ws: &WorkspaceReport, paint: &Paint) {
    let _ = writeln!(out, "\n== {} ==\nchecks:", ws.name);
    let width = ws.checks.iter().map(|c| c.id.as_str().len()).max().unwrap_or(0);
    for c in &ws.checks {
        let _ = writeln!(out, "  {}  {:<width$}  {}", paint.status(c.status), c.id, c.message);
    }
    let _ = writeln!(out, "branches:");
    if let Some(error) = ws.plan.error.as_ref().map(|e| &e.message) {
        let _ = writeln!(out, "  error: {error}");
    } else if ws.plan.branches.is_empty() {
        let _ = writeln!(out, "  no mirrored branch exists on either side");
    }
    let width = ws.plan.branches.iter().map(|b| b.plan.name.len()).max().unwrap_or(0);
    for b in ws.branches_problems_first() {
        branch(out, b, width);
    }
    if !ws.plan.tags.is_empty() {
        let _ = writeln!(out, "tags:");
        let width = ws.plan.tags.iter().map(|t| t.plan.name.len()).max().unwrap_or(0);
        for t in &ws.plan.tags {
            let plan = &t.plan;
            let _ = writeln!(
                out,
                "  {:<width$}  {:<20}  {}",
                plan.name,
                plan.action_label(),
                plan.describe()
            );
            for r in &plan.reasons {
                let effect = if r.blocks { "blocks" } else { "note" };
                let _ = writeln!(out, "      {effect}: {}", r.line());
            }
        }
    }
    if let Some(line) = super::audit_line(ws) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "authors of the commits that would go to Git Fusion:");
    match &ws.authors {
        Err(why) => {
            let _ = writeln!(out, "  {why}");
        }
        Ok(rows) if rows.is_empty() => {
            let _ = writeln!(out, "  none");
        }
        Ok(rows) => {
            for r in rows {
                let _ = writeln!(out, "  {}", r.line());
            }
        }
    }
}

fn branch(out: &mut String, b: &BranchResult, width: usize) {
    let plan = &b.plan;
    let short = |o: Option<crate::oid::Oid>| o.map_or_else(|| "-".to_string(), |o| o.short());
    let action = plan.action_label();
    let _ = writeln!(
        out,
        "  {:<width$}  {action:<20}  gitlab {:<7}  fusion {:<7}  base {:<7}  {}",
        plan.name,
        short(plan.tips.gitlab),
        short(plan.tips.fusion),
        short(plan.tips.base),
        plan.describe()
    );
    for r in &plan.reasons {
        let effect = if r.blocks { "blocks" } else { "note" };
        let _ = writeln!(out, "      {effect}: {}", r.line());
    }
    if plan.commits.is_empty() {
        return;
    }
    let shown: Vec<String> = plan.commits.iter().take(COMMITS_SHOWN).map(|c| c.short()).collect();
    let more = plan.commits.len().saturating_sub(COMMITS_SHOWN);
    let tail = if more > 0 { format!(" and {more} more") } else { String::new() };
    let _ = writeln!(out, "      commits: {}{tail}", shown.join(" "));
}
