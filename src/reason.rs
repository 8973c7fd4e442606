//! The reason codes of docs/git-fusion.md as a type: every finding about a branch or commit carries one,
//! and whether it blocks by default and who must act on it are decided here, in one table.
//!
//! Must not decide when a code applies (that is `fusion::preflight` and `sync::remembered`).

use std::fmt;

/// A finding's reason code (docs/git-fusion.md); serialized as its contract name.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Code {
    /// Effective `change-owner` is `pusher`.
    ChangeOwnerPusher,
    /// The author maps to nobody and `unknown_git` does not exist.
    UnmappedAuthor,
    /// The author maps only to `unknown_git`.
    UnknownGitAuthor,
    /// Git Fusion cannot read `p4gf_usermap` (an illegal line), so it refuses the push.
    UsermapUnreadable,
    /// `[authors]` intends another user than Git Fusion would pick.
    AuthorOverrideMismatch,
    /// A merge commit while merges are disabled.
    MergeCommitsDisabled,
    /// A gitlink while submodules are disabled.
    SubmodulesDisabled,
    /// A new branch while branch creation is disabled.
    BranchCreationDisabled,
    /// The repo or branch is read-only.
    ReadOnly,
    /// A path Perforce cannot store.
    InvalidPath,
    /// Two paths equal but for case on a case-insensitive server.
    CaseConflict,
    /// A path with `@ # % *`, stored escaped.
    EscapedPath,
    /// A path the branch's view does not map (docs/git-fusion.md).
    NotInView,
    /// A user Git Fusion checks lacks write on a depot path (docs/git-fusion.md).
    PermissionDenied,
    /// A commit that changes no file while the view cannot hold an empty changelist.
    EmptyCommit,
    /// GitLab would refuse the bridge's push to this branch (docs/operations.md).
    GitlabPushDenied,
    /// Git Fusion refused or failed this push for these tips before.
    FusionRejected,
    /// A previous push to Git Fusion is still unconfirmed.
    FusionPending,
    /// A pointer goes to a Git Fusion whose `git-lfs-enable` is not yes (docs/lfs.md).
    LfsDisabledOnFusion,
    /// A pointer at a path the commit's `.gitattributes` does not track (docs/lfs.md).
    LfsUntrackedPointer,
    /// An object on neither side's LFS server (docs/lfs.md).
    LfsMissingContent,
    /// An LFS server failed or refused during the copy (docs/lfs.md).
    LfsTransferFailed,
    /// The tag names different objects on the two sides (docs/tags.md).
    TagConflict,
    /// Git Fusion refuses the tag's name, and with it the whole push (docs/tags.md).
    InvalidTagName,
    /// No Git Fusion branch reaches the tag's commit: Git Fusion would drop it (docs/tags.md).
    TagNotStored,
    /// A tag of a tree or blob: Git Fusion keeps it in git only (docs/tags.md).
    TagNotInPerforce,
}

impl Code {
    /// Every code, in the order docs/git-fusion.md lists them (for tables and tests).
    pub const ALL: [Code; 26] = [
        Code::ChangeOwnerPusher,
        Code::UnmappedAuthor,
        Code::UnknownGitAuthor,
        Code::UsermapUnreadable,
        Code::AuthorOverrideMismatch,
        Code::MergeCommitsDisabled,
        Code::SubmodulesDisabled,
        Code::BranchCreationDisabled,
        Code::ReadOnly,
        Code::InvalidPath,
        Code::CaseConflict,
        Code::EscapedPath,
        Code::NotInView,
        Code::PermissionDenied,
        Code::EmptyCommit,
        Code::GitlabPushDenied,
        Code::FusionRejected,
        Code::FusionPending,
        Code::LfsDisabledOnFusion,
        Code::LfsUntrackedPointer,
        Code::LfsMissingContent,
        Code::LfsTransferFailed,
        Code::TagConflict,
        Code::InvalidTagName,
        Code::TagNotStored,
        Code::TagNotInPerforce,
    ];

    /// Returns the contract name (`unmapped_author`).
    pub fn as_str(self) -> &'static str {
        match self {
            Code::ChangeOwnerPusher => "change_owner_pusher",
            Code::UnmappedAuthor => "unmapped_author",
            Code::UnknownGitAuthor => "unknown_git_author",
            Code::UsermapUnreadable => "usermap_unreadable",
            Code::AuthorOverrideMismatch => "author_override_mismatch",
            Code::MergeCommitsDisabled => "merge_commits_disabled",
            Code::SubmodulesDisabled => "submodules_disabled",
            Code::BranchCreationDisabled => "branch_creation_disabled",
            Code::ReadOnly => "read_only",
            Code::InvalidPath => "invalid_path",
            Code::CaseConflict => "case_conflict",
            Code::EscapedPath => "escaped_path",
            Code::NotInView => "not_in_view",
            Code::PermissionDenied => "permission_denied",
            Code::EmptyCommit => "empty_commit",
            Code::GitlabPushDenied => "gitlab_push_denied",
            Code::FusionRejected => "fusion_rejected",
            Code::FusionPending => "fusion_pending",
            Code::LfsDisabledOnFusion => "lfs_disabled_on_fusion",
            Code::LfsUntrackedPointer => "lfs_untracked_pointer",
            Code::LfsMissingContent => "lfs_missing_content",
            Code::LfsTransferFailed => "lfs_transfer_failed",
            Code::TagConflict => "tag_conflict",
            Code::InvalidTagName => "invalid_tag_name",
            Code::TagNotStored => "tag_not_stored",
            Code::TagNotInPerforce => "tag_not_in_perforce",
        }
    }

    /// Returns whether a finding with this code blocks the push unless a setting says
    /// otherwise (`unknown_git_author` blocks only with `on_unmapped_author = "block"`).
    pub fn blocks_by_default(self) -> bool {
        !matches!(
            self,
            Code::EscapedPath
                | Code::UnknownGitAuthor
                | Code::LfsTransferFailed
                | Code::TagNotStored
                | Code::TagNotInPerforce
        )
    }

    /// Returns whether the code is about a remembered push rather than the commits.
    pub fn is_remembered_push(self) -> bool {
        matches!(self, Code::FusionRejected | Code::FusionPending)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
