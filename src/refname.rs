//! Branch and tag names as they cross the boundary (`ls-remote`, webhooks, hook input, `-b`):
//! checked once against git's ref-name rules, then typed, so a name with `..`, a space or
//! `@{` can never reach a refspec or a lease.
//!
//! Owns the short names (`main`, `release/1.0`, `v1.2`), reading them from a full ref
//! (`refs/heads/main`, `refs/tags/v1.2`), and the full ref a push writes (`RefName`); must not
//! know which branches or tags are mirrored.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

/// The prefix of every branch's full ref name.
pub const HEADS: &str = "refs/heads/";

/// A branch's short name, valid as git's `check-ref-format --branch` requires.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BranchName(String);

/// The error returned when text is not a name git accepts for a branch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{name}` is not a valid branch name: {why}")]
pub struct BadBranchName {
    /// The text, as given.
    pub name: String,
    /// Which rule of `git check-ref-format` it breaks.
    pub why: &'static str,
}

impl BranchName {
    /// Returns the branch of a full ref name: `None` for refs outside `refs/heads/` (tags,
    /// merge requests), an error for a `refs/heads/` name git would not accept.
    pub fn from_full(refname: &str) -> Option<Result<BranchName, BadBranchName>> {
        refname.strip_prefix(HEADS).map(str::parse)
    }

    /// Returns the name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Returns which rule of `git check-ref-format` (git-check-ref-format(1)) `name` breaks as
/// the part after `refs/heads/` (`--branch` also refuses a leading `-`), or `None` when git
/// accepts it.
fn broken_rule(name: &str) -> Option<&'static str> {
    if name.starts_with('-') {
        return Some("it begins with `-`");
    }
    broken_ref_rule(name)
}

/// Returns which rule of `git check-ref-format` `name` breaks as the part after `refs/tags/`
/// (where a leading `-` is allowed), or `None`.
fn broken_ref_rule(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("it is empty");
    }
    if name.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return Some("it has a control character");
    }
    if let Some(c) = name.chars().find(|c| " ~^:?*[\\".contains(*c)) {
        return Some(match c {
            ' ' => "it has a space",
            '~' | '^' | ':' => "it has `~`, `^` or `:`",
            _ => "it has `?`, `*`, `[` or `\\`",
        });
    }
    if name.contains("..") {
        return Some("it has `..`");
    }
    if name.contains("@{") {
        return Some("it has `@{`");
    }
    if name.ends_with('.') {
        return Some("it ends with `.`");
    }
    for component in name.split('/') {
        if component.is_empty() {
            return Some("it has an empty component (`//`, or `/` at either end)");
        }
        if component.starts_with('.') {
            return Some("a component begins with `.`");
        }
        if component.ends_with(".lock") {
            return Some("a component ends with `.lock`");
        }
    }
    None
}

impl FromStr for BranchName {
    type Err = BadBranchName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match broken_rule(s) {
            None => Ok(BranchName(s.to_string())),
            Some(why) => Err(BadBranchName { name: s.to_string(), why }),
        }
    }
}

impl Deref for BranchName {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for BranchName {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for BranchName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for BranchName {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for BranchName {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl fmt::Display for BranchName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, not `write_str`: tables align names with `{:<width$}`.
        f.pad(&self.0)
    }
}

impl fmt::Debug for BranchName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl serde::Serialize for BranchName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for BranchName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// The prefix of every tag's full ref name.
pub const TAGS: &str = "refs/tags/";

/// A tag's short name, valid as git's `check-ref-format` requires of `refs/tags/<name>`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagName(String);

/// The error returned when text is not a name git accepts for a tag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{name}` is not a valid tag name: {why}")]
pub struct BadTagName {
    /// The text, as given.
    pub name: String,
    /// Which rule of `git check-ref-format` it breaks.
    pub why: &'static str,
}

impl TagName {
    /// Returns the tag of a full ref name: `None` for refs outside `refs/tags/` and for the
    /// peeled lines `ls-remote` adds (`refs/tags/v1^{}`), an error for a name git refuses.
    pub fn from_full(refname: &str) -> Option<Result<TagName, BadTagName>> {
        let name = refname.strip_prefix(TAGS)?;
        if name.ends_with("^{}") {
            return None;
        }
        Some(name.parse())
    }

    /// Returns the name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for TagName {
    type Err = BadTagName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match broken_ref_rule(s) {
            None => Ok(TagName(s.to_string())),
            Some(why) => Err(BadTagName { name: s.to_string(), why }),
        }
    }
}

impl Deref for TagName {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TagName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl fmt::Debug for TagName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl serde::Serialize for TagName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// A ref a push writes: a branch or a tag.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefName {
    /// `refs/heads/<name>`.
    Branch(BranchName),
    /// `refs/tags/<name>`.
    Tag(TagName),
}

impl RefName {
    /// Returns the full ref name.
    pub fn full(&self) -> String {
        match self {
            RefName::Branch(b) => format!("{HEADS}{b}"),
            RefName::Tag(t) => format!("{TAGS}{t}"),
        }
    }

    /// Returns `branch` or `tag`, as the journal and JSON output name the kinds.
    pub fn kind(&self) -> &'static str {
        match self {
            RefName::Branch(_) => "branch",
            RefName::Tag(_) => "tag",
        }
    }

    /// Returns the short name (`main`, `v1.2`).
    pub fn short(&self) -> &str {
        match self {
            RefName::Branch(b) => b.as_str(),
            RefName::Tag(t) => t.as_str(),
        }
    }
}

impl fmt::Display for RefName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full())
    }
}
