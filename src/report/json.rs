//! `report --format json`: the docs/report.md shape with §15.1's `blockers`. Fields may be added, never renamed or
//! dropped; branches share `render::json::branch` with `sync --format json`.

use serde_json::{json, Value};

use super::verdict::Blocker;
use super::{Report, WorkspaceReport};
use crate::render::json::{branch, tag};

/// Returns the JSON document.
pub fn render(report: &Report) -> Value {
    json!({
        "version": report.version,
        "generated_at": report.generated_at,
        "ready": report.ready(),
        "exit_code": report.exit().code(),
        "workspaces": report.workspaces.iter().map(workspace).collect::<Vec<_>>(),
    })
}

fn workspace(ws: &WorkspaceReport) -> Value {
    let (authors, authors_error) = match &ws.authors {
        Ok(rows) => (json!(rows), Value::Null),
        Err(why) => (json!([]), json!(why)),
    };
    let blockers = ws.blockers();
    json!({
        "name": ws.name,
        "ready": ws.ready(),
        "blockers": blockers,
        "not_ready_because": blockers.iter().map(Blocker::line).collect::<Vec<_>>(),
        "error": ws.plan.error.as_ref().map(|e| &e.message),
        "accepted_unchecked": ws
            .accepted_unchecked()
            .iter()
            .map(|c| json!({"id": c.id, "message": c.message}))
            .collect::<Vec<_>>(),
        "checks": ws.checks,
        "branches": ws.plan.branches.iter().map(branch).collect::<Vec<_>>(),
        "tags": ws.plan.tags.iter().map(tag).collect::<Vec<_>>(),
        "authors": authors,
        "authors_error": authors_error,
    })
}
