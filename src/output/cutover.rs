//! What `cutover` prints and writes (docs/cutover.md): the conditions it checked, as text or
//! `CutoverDocument` (`--format json`), and the Markdown twin of the record it keeps.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::Serialize;

use crate::cutover::{Condition, Cutover, Record};

/// `cutover --format json`.
#[derive(Serialize, JsonSchema)]
pub struct CutoverDocument<'a> {
    /// `gfbridge <version>`.
    pub version: String,
    /// The workspace.
    pub workspace: &'a str,
    /// Whether it was executed (`--execute`) or only assessed.
    pub execute: bool,
    /// Whether every condition holds (with `--execute`: the workspace is now retired).
    pub possible: bool,
    /// Each condition.
    pub conditions: &'a [Condition],
    /// The record written, `null` when none was.
    pub record: Option<WrittenFiles<'a>>,
}

/// The files a cutover wrote.
#[derive(Serialize, JsonSchema)]
pub struct WrittenFiles<'a> {
    /// The JSON record.
    pub json: String,
    /// The Markdown record.
    pub markdown: String,
    /// What the JSON record holds.
    pub content: &'a Record,
}

/// Returns the JSON document.
pub fn json<'a>(workspace: &'a str, execute: bool, cutover: &'a Cutover) -> CutoverDocument<'a> {
    CutoverDocument {
        version: super::version(),
        workspace,
        execute,
        possible: cutover.possible(),
        conditions: &cutover.conditions,
        record: cutover.written.as_ref().map(|w| WrittenFiles {
            json: w.json.display().to_string(),
            markdown: w.markdown.display().to_string(),
            content: &w.record,
        }),
    }
}

/// Returns the text: the verdict, each condition, and the record when one was written.
pub fn text(workspace: &str, execute: bool, cutover: &Cutover) -> String {
    let mut out = String::new();
    let verdict = match (cutover.possible(), execute, &cutover.written) {
        (true, true, Some(_)) => "cut over: the workspace is retired",
        (true, _, _) => "a cutover would succeed",
        (false, true, _) => "NOT cut over: nothing was written or retired",
        (false, false, _) => "a cutover would NOT succeed",
    };
    let _ = writeln!(out, "{workspace}: {verdict}");
    for c in &cutover.conditions {
        let mark = if c.met { "met  " } else { "UNMET" };
        let name = serde_json::to_value(c.requirement).ok();
        let name = name.as_ref().and_then(|v| v.as_str()).unwrap_or_default();
        let _ = writeln!(out, "  {mark}  {name:<18}  {}", c.detail);
    }
    if let Some(w) = &cutover.written {
        let _ = writeln!(out, "record: {}", w.json.display());
        let _ = writeln!(out, "        {}", w.markdown.display());
    }
    out
}

/// Returns the record as Markdown, for people: the same facts as the JSON.
pub fn markdown(record: &Record) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Cutover of {}\n", record.workspace);
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| at | {} |", record.at);
    let _ = writeln!(out, "| GitLab remote | `{}` |", record.gitlab_remote);
    let _ = writeln!(out, "| Git Fusion remote | `{}` |", record.fusion_remote);
    let _ = writeln!(out, "| Git Fusion repo | `{}` |", record.fusion_repo);
    let _ = writeln!(out, "| config SHA-256 | `{}` |", record.config_sha256);
    let _ = writeln!(out, "| made by | {} |", record.version);
    out.push_str("\n## Branches\n\nEach tip is the same commit on both sides.\n\n");
    out.push_str("| branch | commit | Perforce change |\n|---|---|---|\n");
    for b in &record.branches {
        let change = b.change.map_or_else(|| "—".to_string(), |c| c.to_string());
        let _ = writeln!(out, "| `{}` | `{}` | {change} |", b.name, b.commit);
    }
    if !record.tags.is_empty() {
        out.push_str("\n## Tags\n\n| tag | object |\n|---|---|\n");
        for t in &record.tags {
            let _ = writeln!(out, "| `{}` | `{}` |", t.name, t.object);
        }
    }
    out.push_str("\n## Audit\n\n");
    match &record.audit {
        Some(s) => {
            let _ = writeln!(
                out,
                "Every commit gfbridge pushed, held to what Perforce recorded: {} match, {} mismatch, {} missing.",
                s.matched, s.mismatch, s.missing
            );
        }
        None => out.push_str("No Perforce server configured: nothing audited.\n"),
    }
    out.push_str("\n## Accepted without checking\n\n");
    if record.accepted_unchecked.is_empty() {
        out.push_str("None: every check was made.\n");
    }
    for a in &record.accepted_unchecked {
        let _ = writeln!(out, "- `{}`: {}", a.id, a.message);
    }
    out
}
