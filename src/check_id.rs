//! The ids of the checks `check` and `report` make, as a type: the config's
//! `accept_unchecked` names them, the checks carry them and the verdict's table matches on
//! them, so a new check cannot be forgotten in any of those places.
//!
//! Must not run a check or decide its status (that is `checks`).

use std::fmt;
use std::str::FromStr;

/// One check's id; serialized as its name (`change_owner`).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    /// The config file loads.
    Config,
    /// git is new enough.
    Git,
    /// GitLab's remote answers.
    GitlabRemote,
    /// Git Fusion's remote answers.
    FusionRemote,
    /// GitLab's API answers with the token.
    GitlabApi,
    /// The mirrored branches are protected in GitLab.
    ProtectedBranches,
    /// The bridge's account may push the mirrored branches.
    GitlabPushAccess,
    /// No GitLab mirror of its own points at the Git Fusion repo.
    GitlabMirrors,
    /// Every allowlist entry selects a branch.
    BranchesAllowlist,
    /// Bases are saved for branches on both sides.
    State,
    /// change-owner is author (change-pusher disabled).
    ChangeOwner,
    /// `unknown_git` exists as a standard user, or unmapped authors are blocked.
    UnknownGit,
    /// Git Fusion may take the mirrored branches.
    FusionBranches,
    /// Protections are readable and git-fusion-user may write `//.git-fusion/...`.
    Protections,
    /// LFS content can be carried both ways.
    Lfs,
}

impl CheckId {
    /// Every id, in the order the checks run.
    pub const ALL: [CheckId; 15] = [
        CheckId::Config,
        CheckId::Git,
        CheckId::GitlabRemote,
        CheckId::FusionRemote,
        CheckId::GitlabApi,
        CheckId::ProtectedBranches,
        CheckId::GitlabPushAccess,
        CheckId::GitlabMirrors,
        CheckId::BranchesAllowlist,
        CheckId::State,
        CheckId::ChangeOwner,
        CheckId::UnknownGit,
        CheckId::FusionBranches,
        CheckId::Protections,
        CheckId::Lfs,
    ];

    /// Returns the id's name.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::Config => "config",
            CheckId::Git => "git",
            CheckId::GitlabRemote => "gitlab_remote",
            CheckId::FusionRemote => "fusion_remote",
            CheckId::GitlabApi => "gitlab_api",
            CheckId::ProtectedBranches => "protected_branches",
            CheckId::GitlabPushAccess => "gitlab_push_access",
            CheckId::GitlabMirrors => "gitlab_mirrors",
            CheckId::BranchesAllowlist => "branches_allowlist",
            CheckId::State => "state",
            CheckId::ChangeOwner => "change_owner",
            CheckId::UnknownGit => "unknown_git",
            CheckId::FusionBranches => "fusion_branches",
            CheckId::Protections => "protections",
            CheckId::Lfs => "lfs",
        }
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for CheckId {
    type Err = ();

    fn from_str(text: &str) -> Result<CheckId, ()> {
        CheckId::ALL.into_iter().find(|id| id.as_str() == text).ok_or(())
    }
}
