//! The branch and tag objects of the JSON documents (docs/output.md, docs/report.md,
//! docs/tags.md), shared by `sync --format json` and `report --format json`. Fields may be
//! added, never renamed or dropped.

use schemars::JsonSchema;
use serde::Serialize;

use crate::oid::Oid;
use crate::outcome::{BranchResult, Outcome, Planned, Reason, TagResult};
use crate::plan::Side;
use crate::refname::{BranchName, TagName};

/// One mirrored branch: its tips, the decision, the findings and what became of it.
#[derive(Serialize, JsonSchema)]
pub struct BranchJson<'a> {
    /// Always `branch`.
    #[schemars(extend("const" = "branch"))]
    pub kind: &'static str,
    /// The branch's short name.
    pub name: &'a BranchName,
    /// GitLab's tip, `null` when GitLab lacks the branch.
    pub gitlab: Option<Oid>,
    /// Git Fusion's tip, `null` when Git Fusion lacks the branch.
    pub fusion: Option<Oid>,
    /// The base: the commit both sides last agreed on.
    pub base: Option<Oid>,
    /// The action, or `blocked` for a push a finding stops.
    #[schemars(extend("enum" = ["in_sync", "deleted", "rewritten", "push_to_fusion", "push_to_gitlab", "diverged", "blocked"]))]
    pub action: &'static str,
    /// The side the action names (`rewritten`, `deleted`, the push's target), else `null`.
    pub side: Option<Side>,
    /// Whether a push creates the branch on its target.
    pub new_branch: bool,
    /// The commits the action concerns, oldest first.
    pub commits: &'a [Oid],
    /// The findings; a blocking one turns a push into `blocked`.
    pub reasons: &'a [Reason],
    /// What became of the branch in this run.
    pub outcome: Outcome,
    /// Detail for people: the remote's message, the push id, and so on.
    pub message: Option<&'a str>,
    /// How many LFS objects the push copies first (absent when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lfs_objects: Option<usize>,
    /// Their bytes (absent when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lfs_bytes: Option<u64>,
    /// `true` when the destination could not be asked, so every object pointed to is counted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lfs_estimated: Option<bool>,
    /// For `diverged`: the commits only GitLab has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gitlab_only: Option<&'a [Oid]>,
    /// For `diverged`: the commits only Git Fusion has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fusion_only: Option<&'a [Oid]>,
}

impl<'a> From<&'a BranchResult> for BranchJson<'a> {
    fn from(result: &'a BranchResult) -> Self {
        let plan = &result.plan;
        let diverged = !plan.gitlab_only.is_empty() || !plan.fusion_only.is_empty();
        BranchJson {
            kind: "branch",
            name: &plan.name,
            gitlab: plan.tips.gitlab,
            fusion: plan.tips.fusion,
            base: plan.tips.base,
            action: plan.action_name(),
            side: plan.action.side(),
            new_branch: plan.action.new_branch(),
            commits: &plan.commits,
            reasons: &plan.reasons,
            outcome: result.outcome,
            message: result.message.as_deref(),
            lfs_objects: plan.lfs.as_ref().map(|l| l.objects.len()),
            lfs_bytes: plan.lfs.as_ref().map(|l| l.bytes()),
            lfs_estimated: plan.lfs.as_ref().filter(|l| l.estimated).map(|_| true),
            gitlab_only: diverged.then_some(plan.gitlab_only.as_slice()),
            fusion_only: diverged.then_some(plan.fusion_only.as_slice()),
        }
    }
}

/// One mirrored tag (docs/tags.md): shaped like a branch; `gitlab` and `fusion` are the objects
/// the tag names (its tag object when annotated), `target` the commit it finally names.
#[derive(Serialize, JsonSchema)]
pub struct TagJson<'a> {
    /// Always `tag`.
    #[schemars(extend("const" = "tag"))]
    pub kind: &'static str,
    /// The tag's short name.
    pub name: &'a TagName,
    /// The object GitLab's tag names.
    pub gitlab: Option<Oid>,
    /// The object Git Fusion's tag names.
    pub fusion: Option<Oid>,
    /// What the tag finally names.
    pub target: Option<Oid>,
    /// The action, or `blocked`.
    #[schemars(extend("enum" = ["in_sync", "deleted", "tag_conflict", "push_to_fusion", "push_to_gitlab", "not_stored", "waiting", "blocked"]))]
    pub action: &'static str,
    /// The side the action names, else `null`.
    pub side: Option<Side>,
    /// The findings.
    pub reasons: &'a [Reason],
    /// What became of the tag in this run.
    pub outcome: Outcome,
    /// Detail for people.
    pub message: Option<&'a str>,
}

impl<'a> From<&'a TagResult> for TagJson<'a> {
    fn from(result: &'a TagResult) -> Self {
        let plan = &result.plan;
        TagJson {
            kind: "tag",
            name: &plan.name,
            gitlab: plan.gitlab.map(|t| t.object),
            fusion: plan.fusion.map(|t| t.object),
            target: plan.gitlab.or(plan.fusion).map(|t| t.peeled),
            action: plan.action_name(),
            side: plan.action.side(),
            reasons: &plan.reasons,
            outcome: result.outcome,
            message: result.message.as_deref(),
        }
    }
}
