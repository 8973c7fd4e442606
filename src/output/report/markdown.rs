//! `report --format markdown`: for pasting into a GitLab issue. A verdict line, tables, and
//! collapsible `<details>` for commit lists. Every icon is paired with its word.

use std::fmt::Write;

use crate::checks::Status;
use crate::outcome::BranchResult;
use crate::outcome::Planned;
use crate::report::verdict::grouped;
use crate::report::{Report, WorkspaceReport};

/// Returns the Markdown report.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let ready = report.workspaces.iter().filter(|w| w.ready()).count();
    let _ = writeln!(out, "# gfbridge cutover report\n");
    let _ = writeln!(
        out,
        "**Verdict: {}** — {ready} of {} workspace(s) ready. Generated {} by {}.\n",
        verdict(report.ready()),
        report.workspaces.len(),
        report.generated_at,
        crate::output::version()
    );
    out.push_str("| workspace | verdict | reasons |\n|---|---|---|\n");
    for ws in &report.workspaces {
        let reasons = ws.blockers().len();
        let _ = writeln!(out, "| {} | {} | {reasons} |", cell(&ws.name), verdict(ws.ready()));
    }
    for ws in &report.workspaces {
        workspace(&mut out, ws);
    }
    out
}

fn verdict(ready: bool) -> &'static str {
    if ready {
        "✅ READY"
    } else {
        "❌ NOT READY"
    }
}

fn workspace(out: &mut String, ws: &WorkspaceReport) {
    let _ = writeln!(out, "\n## {} — {}\n", text(&ws.name), verdict(ws.ready()));
    let blockers = ws.blockers();
    if !blockers.is_empty() {
        out.push_str("Not ready because:\n\n");
        for (who, group) in grouped(&blockers) {
            let _ = writeln!(out, "**{}**\n", who.heading());
            for b in group {
                let _ = writeln!(
                    out,
                    "- `{}` ({}): {}",
                    b.id.replace('`', "'"),
                    b.code,
                    text(&b.remedy)
                );
            }
            out.push('\n');
        }
    }
    let accepted = ws.accepted_unchecked();
    if !accepted.is_empty() {
        out.push_str("Accepted without checking:\n\n");
        for c in accepted {
            let _ = writeln!(out, "- `{}`: {}", c.id, text(&c.message));
        }
        out.push('\n');
    }
    out.push_str("### Checks\n\n| status | check | message |\n|---|---|---|\n");
    for c in &ws.checks {
        let status = match c.status {
            Status::Pass => "✅ pass",
            Status::Skip => "➖ skip",
            Status::Warn => "⚠️ warn",
            Status::Fail => "❌ fail",
        };
        let _ = writeln!(out, "| {status} | `{}` | {} |", c.id, cell(&c.message));
    }
    branches(out, ws);
    tags(out, ws);
    if let Some(line) = super::audit_line(ws) {
        let _ = writeln!(out, "\n### Audit\n\n{}", capitalised(&text(&line)));
    }
    authors(out, ws);
}

fn tags(out: &mut String, ws: &WorkspaceReport) {
    if ws.plan.tags.is_empty() {
        return;
    }
    out.push_str("\n### Tags\n\n| tag | action | what |\n|---|---|---|\n");
    for t in &ws.plan.tags {
        let plan = &t.plan;
        let reasons: Vec<String> = plan.reasons.iter().map(|r| text(&r.line())).collect();
        let what =
            [text(&plan.describe())].into_iter().chain(reasons).collect::<Vec<_>>().join("<br>");
        let _ = writeln!(
            out,
            "| `{}` | {} | {what} |",
            plan.name.replace('`', "'"),
            plan.action_label()
        );
    }
}

fn branches(out: &mut String, ws: &WorkspaceReport) {
    out.push_str("\n### Branches\n\n");
    if let Some(error) = ws.plan.error.as_ref().map(|e| &e.message) {
        let _ = writeln!(out, "The plan could not be made: {}", text(error));
        return;
    }
    if ws.plan.branches.is_empty() {
        out.push_str("No mirrored branch exists on either side.\n");
        return;
    }
    out.push_str("| branch | action | GitLab | Git Fusion | base | commits |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for b in ws.branches_problems_first() {
        let plan = &b.plan;
        let short = |o: Option<crate::oid::Oid>| {
            o.map_or_else(|| "—".to_string(), |o| format!("`{}`", o.short()))
        };
        let action = plan.action_label();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} |",
            plan.name.replace('`', "'"),
            action,
            short(plan.tips.gitlab),
            short(plan.tips.fusion),
            short(plan.tips.base),
            plan.commits.len()
        );
    }
    let with_reasons: Vec<&BranchResult> =
        ws.plan.branches.iter().filter(|b| !b.plan.reasons.is_empty()).collect();
    if !with_reasons.is_empty() {
        out.push_str("\n**Reasons**\n\n");
        for b in with_reasons {
            for r in &b.plan.reasons {
                let effect = if r.blocks { "**blocks**" } else { "note" };
                let commit =
                    r.commit.map_or_else(|| "the branch".into(), |c| format!("`{}`", c.short()));
                let _ = writeln!(
                    out,
                    "- `{}` {effect} `{}` in {commit}: {}",
                    b.plan.name.replace('`', "'"),
                    r.code,
                    text(&r.message)
                );
            }
        }
    }
    for b in ws.plan.branches.iter().filter(|b| !b.plan.commits.is_empty()) {
        let _ = writeln!(
            out,
            "\n<details><summary>{}: {}</summary>\n",
            text(&b.plan.name),
            text(&crate::report::branch_summary(b))
        );
        for c in &b.plan.commits {
            let _ = writeln!(out, "- `{c}`");
        }
        out.push_str("\n</details>\n");
    }
}

fn authors(out: &mut String, ws: &WorkspaceReport) {
    out.push_str("\n### Authors of the commits that would go to Git Fusion\n\n");
    let rows = match &ws.authors {
        Err(why) => {
            let _ = writeln!(out, "{}", text(&capitalised(why)));
            return;
        }
        Ok(rows) if rows.is_empty() => {
            out.push_str("None.\n");
            return;
        }
        Ok(rows) => rows,
    };
    out.push_str("| git author | email | Perforce user | via | commits | `[authors]` |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for r in rows {
        let user = r.p4_user.as_deref().map_or_else(|| "❌ rejected".to_string(), cell);
        let intended = match (&r.intended, r.mismatch()) {
            (Some(i), true) => format!("❌ intends {}", cell(i)),
            (Some(i), false) => format!("✅ {}", cell(i)),
            (None, _) => String::new(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {user} | {} | {} | {intended} |",
            cell(&r.name),
            cell(&r.email),
            r.via.name(),
            r.commits
        );
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// Escapes text for Markdown that GitLab also renders as HTML.
fn text(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('\n', " ")
}

/// Escapes text for a table cell.
fn cell(s: &str) -> String {
    text(s).replace('|', "\\|")
}
