//! Why a workspace is not ready for cutover (docs/report.md): one blocker per failing or warning
//! check, per reason a branch is not in sync, and per remembered push — each with who must act
//! and a one-sentence remedy — sorted so that what needs a person comes first.
//!
//! The table from checks, actions and reason codes to who and what is here and nowhere else.
//! Must not decide anything about branches: it reads the dry run's plan and the checks.

use crate::audit::Summary;
use crate::checks::{Check, CheckId, Status};
use crate::outcome::Planned;
use crate::outcome::{BranchResult, TagResult};
use crate::plan::{Action, Side};
use crate::reason::Code;
use crate::tags::TagAction;

/// Who must act on a blocker, in the order blockers are listed (people first).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Who {
    /// Someone who writes to the branches.
    Developer,
    /// A GitLab administrator or project maintainer.
    GitlabAdmin,
    /// A Perforce or Git Fusion administrator.
    PerforceAdmin,
    /// Whoever runs gfbridge.
    BridgeOperator,
    /// Nobody: the next sync does it.
    NextSync,
}

impl Who {
    /// Every value, in listing order.
    pub const ALL: [Who; 5] =
        [Who::Developer, Who::GitlabAdmin, Who::PerforceAdmin, Who::BridgeOperator, Who::NextSync];

    /// Returns the heading a report groups the blockers under.
    pub fn heading(self) -> &'static str {
        match self {
            Who::Developer => "Developers",
            Who::GitlabAdmin => "GitLab administrator",
            Who::PerforceAdmin => "Perforce administrator",
            Who::BridgeOperator => "Bridge operator",
            Who::NextSync => "The next sync will do it",
        }
    }
}

/// What a blocker is about.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A check that fails or warns.
    Check,
    /// A branch that is not in sync.
    Branch,
    /// A tag that is not in sync.
    Tag,
    /// A remembered failed or pending push.
    Push,
    /// Perforce recorded another owner than predicted, or lacks a pushed commit (`audit`).
    Audit,
}

/// One reason a workspace is not ready.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Blocker {
    /// What it is about.
    pub kind: Kind,
    /// The check id or ref name.
    pub id: String,
    /// The check's status, the reason code or the action.
    pub code: String,
    /// Who must act.
    pub who: Who,
    /// What to do, in one sentence.
    pub remedy: String,
}

impl Blocker {
    /// Returns the blocker in one line: `release/2.0 (diverged): Merge ...`.
    pub fn line(&self) -> String {
        format!("{} ({}): {}", self.id, self.code, self.remedy)
    }
}

/// Returns the blockers grouped by who must act, in listing order, leaving out empty groups.
pub fn grouped(blockers: &[Blocker]) -> Vec<(Who, Vec<&Blocker>)> {
    Who::ALL
        .iter()
        .map(|who| (*who, blockers.iter().filter(|b| b.who == *who).collect::<Vec<_>>()))
        .filter(|(_, group)| !group.is_empty())
        .collect()
}

/// Returns the blockers of a workspace, people first: from its checks (a skipped check whose
/// id is in `accepted` does not block), the error that stopped its plan (if any), its
/// branches and tags, and the audit of what Perforce recorded (`None`: no server to ask).
pub fn blockers(
    checks: &[Check],
    accepted: &[CheckId],
    plan_error: Option<&str>,
    branches: &[BranchResult],
    tags: &[TagResult],
    audit: Option<&Result<Summary, String>>,
) -> Vec<Blocker> {
    let mut found: Vec<Blocker> =
        checks.iter().filter_map(|c| check_blocker(c, accepted)).collect();
    if let Some(error) = plan_error {
        found.push(Blocker {
            kind: Kind::Check,
            id: "plan".into(),
            code: "error".into(),
            who: Who::BridgeOperator,
            remedy: format!("The plan could not be made ({error}); fix that and report again."),
        });
    }
    found.extend(branches.iter().flat_map(branch_blockers));
    found.extend(tags.iter().flat_map(tag_blockers));
    found.extend(audit.into_iter().flat_map(audit_blockers));
    found.sort_by(|a, b| (a.who, a.kind, &a.id, &a.code).cmp(&(b.who, b.kind, &b.id, &b.code)));
    found
}

fn audit_blockers(audit: &Result<Summary, String>) -> Vec<Blocker> {
    let blocker = |code: &str, who: Who, remedy: String| Blocker {
        kind: Kind::Audit,
        id: "audit".into(),
        code: code.into(),
        who,
        remedy,
    };
    match audit {
        // Not read is not verified.
        Err(why) => vec![blocker(
            "unreadable",
            Who::BridgeOperator,
            format!("What Perforce recorded could not be read ({why}); fix that, then run `gfbridge audit`."),
        )],
        Ok(summary) => {
            let mut found = Vec::new();
            if summary.mismatch > 0 {
                found.push(blocker("mismatch", Who::PerforceAdmin, format!(
                    "{} pushed commit(s) sit in changelists owned by another user than predicted: `gfbridge audit` lists them; correct the owners (p4 change -f) or the user map, then audit again.",
                    summary.mismatch
                )));
            }
            if summary.missing > 0 {
                found.push(blocker("missing", Who::PerforceAdmin, format!(
                    "{} pushed commit(s) have no record in Perforce: `gfbridge audit` lists them; find why Git Fusion did not copy them (its push status, logs), then audit again.",
                    summary.missing
                )));
            }
            found
        }
    }
}

fn check_blocker(check: &Check, accepted: &[CheckId]) -> Option<Blocker> {
    let blocker = |code: &str, who: Who, remedy: String| Blocker {
        kind: Kind::Check,
        id: check.id.to_string(),
        code: code.into(),
        who,
        remedy,
    };
    match check.status {
        Status::Pass => None,
        Status::Skip if accepted.contains(&check.id) => None,
        // Not made is not verified: it blocks until it can run or is accepted explicitly.
        Status::Skip => {
            let why = check.message.strip_prefix("not checked:").unwrap_or(&check.message).trim();
            let remedy = format!(
                "This check was not made ({why}). Give gfbridge what it needs to make it, or accept it without checking: accept_unchecked = [\"{}\"] in the workspace.",
                check.id
            );
            Some(blocker("skip", Who::BridgeOperator, remedy))
        }
        Status::Warn | Status::Fail => {
            let code = if check.status == Status::Warn { "warn" } else { "fail" };
            let (who, remedy) = check_remedy(check.id);
            Some(blocker(code, who, remedy.into()))
        }
    }
}

fn check_remedy(id: CheckId) -> (Who, &'static str) {
    match id {
        CheckId::GitlabMirrors => (Who::GitlabAdmin, "Disable GitLab's own push or pull mirror to the Git Fusion repo: gfbridge mirrors it (Settings > Repository > Mirroring repositories)."),
        CheckId::GitlabPushAccess => (Who::GitlabAdmin, "Let the bridge's account push to each mirrored branch (\"Allowed to push\"), or stop mirroring it from Git Fusion."),
        CheckId::ProtectedBranches => (Who::GitlabAdmin, "Protect each branch to mirror in GitLab, without force push, or drop it from the allowlist."),
        CheckId::ChangeOwner => (Who::PerforceAdmin, "Set change-owner = author in the repo's p4gf_config [@repo] section (or the global [git-to-perforce])."),
        CheckId::UnknownGit => (Who::PerforceAdmin, "Create the unknown_git user as a standard Perforce user, or set on_unmapped_author = \"block\"."),
        CheckId::FusionBranches => (Who::PerforceAdmin, "Define each mirrored branch in the repo's p4gf_config, or set enable-git-branch-creation = yes."),
        CheckId::Protections => (Who::PerforceAdmin, "Give git-fusion-user write on //.git-fusion/..., and give gfbridge what it needs to read protections (client_host and super access, or protects_file and groups_file)."),
        CheckId::State => (Who::NextSync, "The next sync records the bases once both sides are seen equal; until then keep the state directory on persistent storage."),
        CheckId::BranchesAllowlist => (Who::BridgeOperator, "Remove allowlist entries that match no branch, or create the branches."),
        CheckId::Lfs => (Who::BridgeOperator, "Fix what the check's message names (LFS endpoints, credentials, Git Fusion's LFS settings), then report again."),
        CheckId::Config
        | CheckId::Git
        | CheckId::GitlabRemote
        | CheckId::FusionRemote
        | CheckId::GitlabApi => (Who::BridgeOperator, "Fix what the check's message names, then report again."),
    }
}

fn branch_blockers(b: &BranchResult) -> Vec<Blocker> {
    let plan = &b.plan;
    let blocker = |kind: Kind, code: &str, who: Who, remedy: String| Blocker {
        kind,
        id: plan.name.to_string(),
        code: code.into(),
        who,
        remedy,
    };
    if plan.blocked() {
        let mut codes: Vec<Code> =
            plan.reasons.iter().filter(|r| r.blocks).map(|r| r.code).collect();
        codes.sort();
        codes.dedup();
        return codes
            .into_iter()
            .map(|code| {
                let kind = if code.is_remembered_push() { Kind::Push } else { Kind::Branch };
                let (who, remedy) = code_remedy(code);
                let mut remedy = remedy.to_string();
                // The fix is in a file: name it, and the line, as the finding does.
                if code == Code::UsermapUnreadable {
                    let found = plan.reasons.iter().find(|r| r.code == code);
                    let finding = found.map_or("", |r| r.message.as_str());
                    remedy = format!("{remedy} Where: {finding}");
                }
                blocker(kind, code.as_str(), who, remedy)
            })
            .collect();
    }
    let (who, remedy) = match plan.action {
        Action::InSync => return Vec::new(),
        Action::PushToFusion { .. } | Action::PushToGitlab { .. } => {
            (Who::NextSync, "The next sync pushes it.".to_string())
        }
        Action::Diverged => (
            Who::Developer,
            "Merge one side into the other so that one tip contains the other (gfbridge never picks a side).".into(),
        ),
        Action::Rewritten { side } => (
            Who::Developer,
            format!("Restore the commits the {} side lost (push the old tip back, then build on it); rewrites are never mirrored.", side_name(side)),
        ),
        Action::Deleted { side } => (
            Who::BridgeOperator,
            format!("Recreate the branch on the {} side at its base, or drop it from the allowlist.", side_name(side)),
        ),
    };
    vec![blocker(Kind::Branch, plan.action.name(), who, remedy)]
}

fn tag_blockers(t: &TagResult) -> Vec<Blocker> {
    let plan = &t.plan;
    let blocker = |code: &str, who: Who, remedy: String| Blocker {
        kind: Kind::Tag,
        id: format!("refs/tags/{}", plan.name),
        code: code.into(),
        who,
        remedy,
    };
    if plan.blocked() {
        let codes = plan.reasons.iter().filter(|r| r.blocks).map(|r| r.code);
        return codes
            .map(|code| {
                let (who, remedy) = code_remedy(code);
                blocker(code.as_str(), who, remedy.into())
            })
            .collect();
    }
    let (code, who, remedy) = match plan.action {
        TagAction::InSync | TagAction::NotStored => return Vec::new(),
        TagAction::Push { .. } => ("push", Who::NextSync, "The next sync creates it.".to_string()),
        TagAction::Waiting { to } => (
            "waiting",
            Who::NextSync,
            format!("The next sync creates it once its commit is on the {} side.", side_name(to)),
        ),
        TagAction::Conflict => {
            let (who, remedy) = code_remedy(Code::TagConflict);
            ("tag_conflict", who, remedy.to_string())
        }
        TagAction::Deleted { side } => (
            "deleted",
            Who::BridgeOperator,
            format!("Recreate the tag on the {} side as it was, or drop it from `tags`; deletions are never mirrored.", side_name(side)),
        ),
    };
    vec![blocker(code, who, remedy)]
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Gitlab => "GitLab",
        Side::Fusion => "Git Fusion",
    }
}

/// Returns who acts on a blocking reason code, and how.
pub fn code_remedy(code: Code) -> (Who, &'static str) {
    match code {
        Code::ChangeOwnerPusher => (Who::PerforceAdmin, "Set change-owner = author in the repo's p4gf_config [@repo] section."),
        Code::UnmappedAuthor => (Who::PerforceAdmin, "Create a Perforce user for the author, or map the author's email in p4gf_usermap (see `gfbridge authors`)."),
        Code::UsermapUnreadable => (Who::PerforceAdmin, "Correct or remove the p4gf_usermap line Git Fusion cannot read; until then it refuses every push whose authors it looks up there."),
        Code::UnknownGitAuthor => (Who::PerforceAdmin, "Map the author's email in p4gf_usermap (see `gfbridge authors`), or allow unknown_git with on_unmapped_author = \"unknown_git\"."),
        Code::AuthorOverrideMismatch => (Who::PerforceAdmin, "Put the lines `gfbridge authors --format usermap` prints at the top of p4gf_usermap."),
        Code::MergeCommitsDisabled => (Who::PerforceAdmin, "Set enable-git-merge-commits = yes for the repo, or have developers replace the merge with linear history."),
        Code::SubmodulesDisabled => (Who::Developer, "Remove the submodule from the branch's new commits, or have the Perforce admin enable git submodules."),
        Code::BranchCreationDisabled => (Who::PerforceAdmin, "Define the branch in the repo's p4gf_config, or set enable-git-branch-creation = yes."),
        Code::ReadOnly => (Who::PerforceAdmin, "Clear read-only for the repo or the branch in p4gf_config, if it should take changes."),
        Code::InvalidPath => (Who::Developer, "Rewrite the branch's new commits so that no path contains `...` or a control character."),
        Code::CaseConflict => (Who::Developer, "Remove one of the paths that differ only in letter case from the new commits."),
        Code::EscapedPath => (Who::NextSync, "Nothing: Perforce stores the path escaped."),
        Code::NotInView => (Who::PerforceAdmin, "Widen the branch's view in the repo's p4gf_config to map the path, or have developers move the file inside the view."),
        Code::PermissionDenied => (Who::PerforceAdmin, "Grant the named user write access to the depot path in the protections table."),
        Code::GitlabPushDenied => (Who::GitlabAdmin, "Allow the bridge's account to push to the branch (its protection's \"Allowed to push\"), or stop mirroring it from Git Fusion."),
        Code::EmptyCommit => (Who::PerforceAdmin, "Map a top-level .p4gf_empty_changelist_placeholder in the branch's view, or have developers drop the empty commit."),
        Code::FusionRejected => (Who::BridgeOperator, "Fix what Git Fusion's message names, then run `gfbridge sync --retry-failed`."),
        Code::FusionPending => (Who::NextSync, "The next sync asks Git Fusion again; if it stays pending, check the push in Perforce and run `gfbridge sync --retry-failed`."),
        Code::LfsDisabledOnFusion => (Who::PerforceAdmin, "Set [perforce-to-git] git-lfs-enable = yes and http-url for the repo, and map a top-level .gitattributes in every branch view."),
        Code::LfsUntrackedPointer => (Who::Developer, "Track the path with `git lfs track` (a filter=lfs line in .gitattributes) in the same commit, or commit the real file instead of the pointer."),
        Code::LfsMissingContent => (Who::Developer, "Push the object to GitLab's LFS server (`git lfs push --all origin`) from a clone that has it; no server holds it now."),
        Code::LfsTransferFailed => (Who::BridgeOperator, "Fix what the LFS server said (credentials, space, http-url), then let the next sync copy the object again."),
        Code::TagConflict => (Who::BridgeOperator, "Decide which object the tag should name; delete the other side's tag by hand and let the next sync create it (tags are never moved by gfbridge)."),
        Code::InvalidTagName => (Who::Developer, "Rename the tag without @ # * , ... %% or a leading -; Git Fusion refuses the whole push for such a name."),
        Code::TagNotStored => (Who::NextSync, "Nothing: the tag is mirrored once a Git Fusion branch reaches its commit."),
        Code::TagNotInPerforce => (Who::NextSync, "Nothing: Git Fusion keeps a tag of a tree or blob in git only."),
    }
}
