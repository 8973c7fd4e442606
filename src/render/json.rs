//! `sync --format json` (docs/report.md): `version`, `generated_at`, `workspaces`, each branch with
//! the report's fields and an `outcome`. Fields may be added, never renamed or dropped.

use serde_json::{json, Value};

use crate::outcome::Planned;
use crate::outcome::{BranchResult, TagResult, WorkspaceResult};
use crate::state::journal::now_rfc3339;

/// Returns the `version` every JSON document carries.
pub fn version() -> String {
    format!("gfbridge {}", env!("CARGO_PKG_VERSION"))
}

/// Returns the JSON document for a sync of `workspaces`.
pub fn sync(workspaces: &[WorkspaceResult], dry_run: bool) -> Value {
    let exit = crate::exit::Exit::worst(workspaces.iter().map(WorkspaceResult::exit));
    json!({
        "version": version(),
        "generated_at": now_rfc3339(),
        "dry_run": dry_run,
        "exit_code": exit.code(),
        "workspaces": workspaces.iter().map(workspace).collect::<Vec<_>>(),
    })
}

fn workspace(ws: &WorkspaceResult) -> Value {
    json!({
        "name": ws.name,
        "error": ws.error.as_ref().map(|e| &e.message),
        "branches": ws.branches.iter().map(branch).collect::<Vec<_>>(),
        "tags": ws.tags.iter().map(tag).collect::<Vec<_>>(),
    })
}

/// Returns one branch object with the report's fields plus `outcome` and `message`.
pub fn branch(result: &BranchResult) -> Value {
    let plan = &result.plan;
    let mut value = json!({
        "kind": "branch",
        "name": plan.name,
        "gitlab": plan.tips.gitlab,
        "fusion": plan.tips.fusion,
        "base": plan.tips.base,
        "action": plan.action_name(),
        "side": plan.action.side(),
        "new_branch": plan.action.new_branch(),
        "commits": plan.commits,
        "reasons": plan.reasons,
        "outcome": result.outcome,
        "message": result.message,
    });
    if let Some(lfs) = &plan.lfs {
        value["lfs_objects"] = json!(lfs.objects.len());
        value["lfs_bytes"] = json!(lfs.bytes());
        if lfs.estimated {
            value["lfs_estimated"] = json!(true);
        }
    }
    if !plan.gitlab_only.is_empty() || !plan.fusion_only.is_empty() {
        value["gitlab_only"] = json!(plan.gitlab_only);
        value["fusion_only"] = json!(plan.fusion_only);
    }
    value
}

/// Returns one tag object (docs/tags.md): shaped like a branch's, with `"kind": "tag"`;
/// `gitlab` and `fusion` are the objects the tag names (its tag object when annotated), and
/// `target` what it finally names.
pub fn tag(result: &TagResult) -> Value {
    let plan = &result.plan;
    let target = plan.gitlab.or(plan.fusion).map(|t| t.peeled);
    json!({
        "kind": "tag",
        "name": plan.name,
        "gitlab": plan.gitlab.map(|t| t.object),
        "fusion": plan.fusion.map(|t| t.object),
        "target": target,
        "action": plan.action_name(),
        "side": plan.action.side(),
        "reasons": plan.reasons,
        "outcome": result.outcome,
        "message": result.message,
    })
}
