//! The decision for one mirrored tag (docs/tags.md): a pure function of what each side lists
//! and what gfbridge remembers having seen on both sides.
//!
//! A tag never moves and is never deleted by gfbridge: it is created where it is missing, once
//! its target is there, unless it was once on both sides (then it was deleted, and that is
//! reported). Must not touch git, files or the network; what Git Fusion does with a tag is
//! `fusion::tags`, and the checks that need the cache are in `sync::tags`.

use crate::git::remote::TagTip;
use crate::oid::Oid;
use crate::plan::Side;

/// What to do with one tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagAction {
    /// Both sides name the same object.
    InSync,
    /// The tag vanished from `side` after being seen on both sides: never recreated.
    Deleted {
        /// The side that lost it.
        side: Side,
    },
    /// The two sides name different objects: nothing is written (`tag_conflict`).
    Conflict,
    /// Create the tag on `to`, expecting it absent there.
    Push {
        /// The side that lacks it.
        to: Side,
    },
    /// Git Fusion would take the tag and drop it (no Git Fusion branch reaches its commit):
    /// not pushed, so the next run does not push it again (`tag_not_stored`).
    NotStored,
    /// The tag's commit is not on `to` yet: it waits for the branch that brings it.
    Waiting {
        /// The side that lacks it.
        to: Side,
    },
}

impl TagAction {
    /// Returns the contract's name for the action.
    pub fn name(&self) -> &'static str {
        match self {
            TagAction::InSync => "in_sync",
            TagAction::Deleted { .. } => "deleted",
            TagAction::Conflict => "tag_conflict",
            TagAction::Push { to: Side::Fusion } => "push_to_fusion",
            TagAction::Push { to: Side::Gitlab } => "push_to_gitlab",
            TagAction::NotStored => "not_stored",
            TagAction::Waiting { .. } => "waiting",
        }
    }

    /// Returns the side the action names (`deleted`'s), if any.
    pub fn side(&self) -> Option<Side> {
        match self {
            TagAction::Deleted { side } => Some(*side),
            _ => None,
        }
    }

    /// Returns the side written to, if any.
    pub fn target(&self) -> Option<Side> {
        match self {
            TagAction::Push { to } => Some(*to),
            _ => None,
        }
    }

    /// Returns whether a person must look (nothing is written for the tag).
    pub fn needs_attention(&self) -> bool {
        matches!(self, TagAction::Deleted { .. } | TagAction::Conflict)
    }
}

/// Returns the action for a tag listed as `gitlab` and `fusion` (at least one present);
/// `seen` is the object it had when last seen on both sides.
pub fn decide(gitlab: Option<TagTip>, fusion: Option<TagTip>, seen: Option<Oid>) -> TagAction {
    match (gitlab, fusion) {
        (Some(l), Some(f)) if l.object == f.object => TagAction::InSync,
        (Some(_), Some(_)) => TagAction::Conflict,
        (Some(_), None) if seen.is_some() => TagAction::Deleted { side: Side::Fusion },
        (None, Some(_)) if seen.is_some() => TagAction::Deleted { side: Side::Gitlab },
        (Some(_), None) => TagAction::Push { to: Side::Fusion },
        (None, Some(_)) => TagAction::Push { to: Side::Gitlab },
        (None, None) => unreachable!("a tag is listed on at least one side"),
    }
}
