//! The decision for one branch (docs/architecture.md): a pure function of the two tips, the base and an
//! ancestry oracle.
//!
//! Owns the order of the rules and nothing else: it never touches git, files or the network,
//! so `sync`, `sync --dry-run` and `report` all decide through this one function.

use crate::oid::Oid;

/// One side of a workspace.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    schemars::JsonSchema,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The GitLab project.
    Gitlab,
    /// The Git Fusion repository.
    Fusion,
}

impl Side {
    /// Returns the name used in output, config and the journal.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Gitlab => "gitlab",
            Side::Fusion => "fusion",
        }
    }

    /// Returns the other side.
    pub fn other(self) -> Side {
        match self {
            Side::Gitlab => Side::Fusion,
            Side::Fusion => Side::Gitlab,
        }
    }
}

/// What to do with one branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Both sides are equal (rule 1).
    InSync,
    /// The branch vanished from `side` after being seen there (rule 2); never propagated.
    Deleted { side: Side },
    /// `side` no longer contains the base (rules 3 and 4).
    Rewritten { side: Side },
    /// Fast-forward Git Fusion to the GitLab tip (rule 5).
    PushToFusion { new_branch: bool },
    /// Fast-forward GitLab to the Git Fusion tip (rule 6).
    PushToGitlab { new_branch: bool },
    /// Both sides have commits the other lacks (rule 7).
    Diverged,
}

impl Action {
    /// Returns the contract's name for the action (docs/report.md).
    pub fn name(&self) -> &'static str {
        match self {
            Action::InSync => "in_sync",
            Action::Deleted { .. } => "deleted",
            Action::Rewritten { .. } => "rewritten",
            Action::PushToFusion { .. } => "push_to_fusion",
            Action::PushToGitlab { .. } => "push_to_gitlab",
            Action::Diverged => "diverged",
        }
    }

    /// Returns the side the action names, if any (`side` in docs/report.md).
    pub fn side(&self) -> Option<Side> {
        match self {
            Action::Deleted { side } | Action::Rewritten { side } => Some(*side),
            _ => None,
        }
    }

    /// Returns the remote this action writes to, if it writes at all.
    pub fn target(&self) -> Option<Side> {
        match self {
            Action::PushToFusion { .. } => Some(Side::Fusion),
            Action::PushToGitlab { .. } => Some(Side::Gitlab),
            _ => None,
        }
    }

    /// Returns whether the branch is created on the target.
    pub fn new_branch(&self) -> bool {
        matches!(
            self,
            Action::PushToFusion { new_branch: true } | Action::PushToGitlab { new_branch: true }
        )
    }

    /// Returns whether the action needs a person (nothing is written for the branch).
    pub fn needs_attention(&self) -> bool {
        matches!(self, Action::Deleted { .. } | Action::Rewritten { .. } | Action::Diverged)
    }
}

/// The inputs of the decision for one branch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tips {
    /// `L`: the GitLab tip, if the branch exists there.
    pub gitlab: Option<Oid>,
    /// `F`: the Git Fusion tip, if the branch exists there.
    pub fusion: Option<Oid>,
    /// `B`: the last commit seen equal on both sides.
    pub base: Option<Oid>,
}

impl Tips {
    /// Returns the tip on `side`.
    pub fn on(&self, side: Side) -> Option<Oid> {
        match side {
            Side::Gitlab => self.gitlab,
            Side::Fusion => self.fusion,
        }
    }
}

/// Answers "is `ancestor` equal to, or an ancestor of, `descendant`?".
pub trait Ancestry {
    /// The error the oracle can fail with (a corrupt cache, say).
    type Error;

    /// Returns true when `ancestor` is `descendant` or one of its ancestors.
    fn is_ancestor(&self, ancestor: Oid, descendant: Oid) -> Result<bool, Self::Error>;
}

/// Returns the action for one branch, applying docs/architecture.md's rules in order.
pub fn decide<A: Ancestry>(tips: Tips, graph: &A) -> Result<Action, A::Error> {
    let Tips { gitlab, fusion, base } = tips;
    if gitlab == fusion {
        return Ok(Action::InSync);
    }
    if let Some(base) = base {
        // Both sides held the base when it was recorded, so an absent side deleted it.
        if gitlab.is_none() {
            return Ok(Action::Deleted { side: Side::Gitlab });
        }
        if fusion.is_none() {
            return Ok(Action::Deleted { side: Side::Fusion });
        }
        for side in [Side::Gitlab, Side::Fusion] {
            let tip = tips.on(side).expect("both tips are present past the deletion rule");
            if !graph.is_ancestor(base, tip)? {
                return Ok(Action::Rewritten { side });
            }
        }
    }
    match (gitlab, fusion) {
        (Some(_), None) => Ok(Action::PushToFusion { new_branch: true }),
        (None, Some(_)) => Ok(Action::PushToGitlab { new_branch: true }),
        (Some(l), Some(f)) if graph.is_ancestor(f, l)? => {
            Ok(Action::PushToFusion { new_branch: false })
        }
        (Some(l), Some(f)) if graph.is_ancestor(l, f)? => {
            Ok(Action::PushToGitlab { new_branch: false })
        }
        _ => Ok(Action::Diverged),
    }
}
