//! What `sync` prints. Text for a terminal or a log: one line per branch that reads at a glance
//! (action, outcome, short ids, counts, the commits involved), then a summary line per
//! workspace; errors are not repeated here (the CLI prints each once, on stderr). JSON
//! (`--format json`, docs/output.md): `SyncDocument`.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::Serialize;

use super::refs::{BranchJson, TagJson};
use crate::exit::Exit;
use crate::outcome::Planned;
use crate::outcome::{Tally, WorkspaceResult};
use crate::state::journal::now_rfc3339;

/// `sync --format json`: every workspace's branches and tags, each with its outcome.
#[derive(Serialize, JsonSchema)]
pub struct SyncDocument<'a> {
    /// `gfbridge <version>`.
    pub version: String,
    /// When the document was made, RFC 3339 UTC.
    pub generated_at: String,
    /// Whether this was a dry run (nothing written).
    pub dry_run: bool,
    /// The run's exit code (docs/output.md).
    pub exit_code: u8,
    /// One entry per workspace, in the order they ran.
    pub workspaces: Vec<SyncWorkspace<'a>>,
}

/// One workspace's run in `SyncDocument`.
#[derive(Serialize, JsonSchema)]
pub struct SyncWorkspace<'a> {
    /// The workspace's name.
    pub name: &'a str,
    /// The operational failure that stopped the run, else `null`.
    pub error: Option<&'a str>,
    /// Every mirrored branch.
    pub branches: Vec<BranchJson<'a>>,
    /// Every mirrored tag (empty unless the workspace mirrors tags).
    pub tags: Vec<TagJson<'a>>,
}

/// Returns the JSON document for a sync of `workspaces`.
pub fn json(workspaces: &[WorkspaceResult], dry_run: bool) -> SyncDocument<'_> {
    SyncDocument {
        version: super::version(),
        generated_at: now_rfc3339(),
        dry_run,
        exit_code: Exit::worst(workspaces.iter().map(WorkspaceResult::exit)).code(),
        workspaces: workspaces
            .iter()
            .map(|ws| SyncWorkspace {
                name: &ws.name,
                error: ws.error.as_ref().map(|e| e.message.as_str()),
                branches: ws.branches.iter().map(BranchJson::from).collect(),
                tags: ws.tags.iter().map(TagJson::from).collect(),
            })
            .collect(),
    }
}

/// Returns the text for a sync of `workspaces`.
pub fn text(workspaces: &[WorkspaceResult], dry_run: bool) -> String {
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
