//! `report --format html`: one self-contained page — inline CSS, no scripts, no external
//! assets. A verdict banner per workspace; tables with sticky headers in scrolling boxes so 50
//! branches and 500 authors stay readable. Colour never carries meaning alone: every status has
//! its word and a symbol.

use std::fmt::Write;

use crate::checks::{Check, Status};
use crate::oid::Oid;
use crate::outcome::BranchResult;
use crate::outcome::Planned;
use crate::report::verdict::{grouped, Blocker};
use crate::report::{Report, WorkspaceReport};

const STYLE: &str = r#"
:root { --ok: #1a7f37; --bad: #b42318; --warn: #9a6700; --line: #d0d7de; --muted: #57606a; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328;
       margin: 0 auto; max-width: 1200px; padding: 24px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 8px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
.meta { color: var(--muted); margin: 0 0 16px; }
.banner { border: 2px solid; border-radius: 8px; padding: 10px 14px; font-weight: 600; margin: 8px 0; }
.banner.ok { border-color: var(--ok); background: #dafbe1; }
.banner.bad { border-color: var(--bad); background: #ffebe9; }
.banner ul { font-weight: normal; margin: 6px 0 0; padding-left: 22px; }
.box { max-height: 70vh; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { position: sticky; top: 0; background: #f6f8fa; z-index: 1; }
tbody tr:nth-child(even) { background: #fbfbfc; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.pass { color: var(--ok); } .fail { color: var(--bad); font-weight: 600; }
.warn { color: var(--warn); font-weight: 600; } .skip { color: var(--muted); }
.reasons { margin: 4px 0 0; padding-left: 18px; }
details { margin: 4px 0; } summary { cursor: pointer; }
.banner .who { margin: 8px 0 0; }
/* On paper (and "save as PDF") nothing scrolls: every row and reason must be on the page. */
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  .box { max-height: none; overflow: visible; border: none; }
  th { position: static; }
  thead { display: table-header-group; }
  tr, li { break-inside: avoid; }
  h2, h3, .banner .who { break-after: avoid; }
}
"#;

/// Returns the HTML page.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let ready = report.workspaces.iter().filter(|w| w.ready()).count();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>gfbridge cutover report: {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        if report.ready() { "ready" } else { "not ready" }
    );
    let _ = writeln!(out, "<h1>gfbridge cutover report</h1>");
    let _ = writeln!(
        out,
        "<p class=\"meta\">Generated {} by {}. {ready} of {} workspace(s) ready.</p>",
        esc(&report.generated_at),
        esc(&crate::output::version()),
        report.workspaces.len()
    );
    banner(&mut out, report.ready(), "All workspaces", &[], &[]);
    out.push_str("<div class=\"box\"><table>\n<thead><tr><th>workspace</th><th>verdict</th>");
    out.push_str("<th>reasons</th></tr></thead>\n<tbody>\n");
    for ws in &report.workspaces {
        let _ = writeln!(
            out,
            "<tr><td><a href=\"#ws-{0}\">{0}</a></td><td>{1}</td><td class=\"num\">{2}</td></tr>",
            esc(&ws.name),
            verdict(ws.ready()),
            ws.blockers().len()
        );
    }
    out.push_str("</tbody></table></div>\n");
    for ws in &report.workspaces {
        workspace(&mut out, ws);
    }
    out.push_str("</body>\n</html>\n");
    out
}

fn verdict(ready: bool) -> &'static str {
    if ready {
        "<span class=\"pass\">✔ READY</span>"
    } else {
        "<span class=\"fail\">✖ NOT READY</span>"
    }
}

fn banner(out: &mut String, ready: bool, what: &str, blockers: &[Blocker], accepted: &[&Check]) {
    let (class, word) = if ready { ("ok", "✔ READY") } else { ("bad", "✖ NOT READY") };
    let _ = write!(
        out,
        "<div class=\"banner {class}\" role=\"status\">{}: {word} for cutover",
        esc(what)
    );
    for (who, group) in grouped(blockers) {
        let _ = write!(out, "<p class=\"who\">{}</p><ul>", esc(who.heading()));
        for b in group {
            let _ = write!(
                out,
                "<li><code>{}</code> ({}): {}</li>",
                esc(&b.id),
                esc(&b.code),
                esc(&b.remedy)
            );
        }
        out.push_str("</ul>");
    }
    if !accepted.is_empty() {
        out.push_str("<p class=\"who\">Accepted without checking</p><ul>");
        for c in accepted {
            let _ = write!(out, "<li><code>{}</code>: {}</li>", c.id, esc(&c.message));
        }
        out.push_str("</ul>");
    }
    out.push_str("</div>\n");
}

fn workspace(out: &mut String, ws: &WorkspaceReport) {
    let _ = writeln!(out, "<h2 id=\"ws-{0}\">Workspace {0}</h2>", esc(&ws.name));
    banner(out, ws.ready(), &ws.name, &ws.blockers(), &ws.accepted_unchecked());
    out.push_str("<h3>Checks</h3>\n<div class=\"box\"><table>\n<thead><tr><th>status</th>");
    out.push_str("<th>check</th><th>message</th></tr></thead>\n<tbody>\n");
    for c in &ws.checks {
        let status = match c.status {
            Status::Pass => "<span class=\"pass\">✔ pass</span>",
            Status::Skip => "<span class=\"skip\">– skip</span>",
            Status::Warn => "<span class=\"warn\">▲ warn</span>",
            Status::Fail => "<span class=\"fail\">✖ fail</span>",
        };
        let _ = writeln!(
            out,
            "<tr><td>{status}</td><td><code>{}</code></td><td>{}</td></tr>",
            c.id,
            esc(&c.message)
        );
    }
    out.push_str("</tbody></table></div>\n");
    branches(out, ws);
    tags(out, ws);
    if let Some(line) = super::audit_line(ws) {
        let _ = writeln!(out, "<h3>Audit</h3>\n<p>{}</p>", esc(&line));
    }
    authors(out, ws);
}

fn oid(o: Option<Oid>) -> String {
    o.map_or_else(|| "—".into(), |o| format!("<code title=\"{o}\">{}</code>", o.short()))
}

fn tags(out: &mut String, ws: &WorkspaceReport) {
    if ws.plan.tags.is_empty() {
        return;
    }
    out.push_str("<h3>Tags</h3>\n<div class=\"box\"><table>\n<thead><tr><th>tag</th><th>action</th><th>what</th></tr></thead>\n<tbody>\n");
    for t in &ws.plan.tags {
        let plan = &t.plan;
        let (class, mark) = match plan.action_name() {
            "in_sync" | "not_stored" => ("pass", "✔"),
            "push_to_fusion" | "push_to_gitlab" | "waiting" => ("warn", "▲"),
            _ => ("fail", "✖"),
        };
        let _ = write!(
            out,
            "<tr><td><code>{}</code></td><td><span class=\"{class}\">{mark} {}</span></td><td>{}",
            esc(&plan.name),
            esc(&plan.action_label()),
            esc(&plan.describe())
        );
        for r in &plan.reasons {
            let _ = write!(out, "<br>{}", esc(&r.line()));
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

fn branches(out: &mut String, ws: &WorkspaceReport) {
    out.push_str("<h3>Branches</h3>\n");
    if let Some(error) = ws.plan.error.as_ref().map(|e| &e.message) {
        let _ = writeln!(out, "<p class=\"fail\">The plan could not be made: {}</p>", esc(error));
        return;
    }
    if ws.plan.branches.is_empty() {
        out.push_str("<p>No mirrored branch exists on either side.</p>\n");
        return;
    }
    out.push_str("<div class=\"box\"><table>\n<thead><tr><th>branch</th><th>action</th>");
    out.push_str(
        "<th>GitLab</th><th>Git Fusion</th><th>base</th><th>commits</th></tr></thead>\n<tbody>\n",
    );
    for b in ws.branches_problems_first() {
        branch_row(out, b);
    }
    out.push_str("</tbody></table></div>\n");
}

fn branch_row(out: &mut String, b: &BranchResult) {
    let plan = &b.plan;
    let action = plan.action_label();
    // A push is work the next sync does; attention and blocked need a person.
    let (class, mark) = match plan.action_name() {
        "in_sync" => ("pass", "✔"),
        "push_to_fusion" | "push_to_gitlab" => ("warn", "▲"),
        _ => ("fail", "✖"),
    };
    let _ = write!(
        out,
        "<tr><td><code>{}</code></td><td><span class=\"{class}\">{mark} {}</span>",
        esc(&plan.name),
        esc(&action)
    );
    if !plan.reasons.is_empty() {
        out.push_str("<ul class=\"reasons\">");
        for r in &plan.reasons {
            let effect = if r.blocks { "blocks" } else { "note" };
            let commit = r.commit.map_or_else(|| "branch".into(), |c| oid(Some(c)));
            let _ = write!(
                out,
                "<li><strong>{effect}</strong> <code>{}</code> {commit}: {}</li>",
                r.code,
                esc(&r.message)
            );
        }
        out.push_str("</ul>");
    }
    let _ = write!(
        out,
        "</td><td>{}</td><td>{}</td><td>{}</td><td>",
        oid(plan.tips.gitlab),
        oid(plan.tips.fusion),
        oid(plan.tips.base)
    );
    if plan.commits.is_empty() {
        out.push('0');
    } else {
        let _ = write!(out, "<details><summary>{}</summary>", esc(&plan.describe()));
        for c in &plan.commits {
            let _ = write!(out, "<code>{c}</code><br>");
        }
        out.push_str("</details>");
    }
    out.push_str("</td></tr>\n");
}

fn authors(out: &mut String, ws: &WorkspaceReport) {
    out.push_str("<h3>Authors of the commits that would go to Git Fusion</h3>\n");
    let rows = match &ws.authors {
        Err(why) => {
            let _ = writeln!(out, "<p>{}</p>", esc(why));
            return;
        }
        Ok(rows) if rows.is_empty() => {
            out.push_str("<p>None.</p>\n");
            return;
        }
        Ok(rows) => rows,
    };
    out.push_str("<div class=\"box\"><table>\n<thead><tr><th>git author</th><th>email</th>");
    out.push_str("<th>Perforce user</th><th>via</th><th>commits</th><th>[authors]</th></tr></thead>\n<tbody>\n");
    for r in rows {
        let user = r.p4_user.as_deref().map_or_else(
            || "<span class=\"fail\">✖ rejected</span>".to_string(),
            |u| format!("<code>{}</code>", esc(u)),
        );
        let intended = match (&r.intended, r.mismatch()) {
            (Some(i), true) => format!("<span class=\"fail\">✖ intends {}</span>", esc(i)),
            (Some(i), false) => format!("<span class=\"pass\">✔ {}</span>", esc(i)),
            (None, _) => String::new(),
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{user}</td><td>{}</td><td class=\"num\">{}</td><td>{intended}</td></tr>",
            esc(&r.name),
            esc(&r.email),
            r.via.name(),
            r.commits
        );
    }
    out.push_str("</tbody></table></div>\n");
}

/// Escapes text for HTML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}
