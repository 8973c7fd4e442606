//! Branch and tag names as they cross the boundary (`ls-remote`, webhooks, hook input, `-b`):
//! checked once against git's ref-name rules, then typed, so a name with `..`, a space or
//! `@{` can never reach a refspec or a lease.
//!
//! Owns the short names (`main`, `release/1.0`, `v1.2`), one type for both kinds
//! (`ShortName<K>`: `BranchName`, `TagName`), reading them from a full ref (`refs/heads/main`,
//! `refs/tags/v1.2`), and the full ref a push writes (`RefName`); must not know which branches
//! or tags are mirrored.

use std::borrow::Borrow;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::ops::Deref;
use std::str::FromStr;

/// The prefix of every branch's full ref name.
pub const HEADS: &str = "refs/heads/";

/// The prefix of every tag's full ref name.
pub const TAGS: &str = "refs/tags/";

/// What sets one kind of short name apart: where its full refs live and which of git's rules
/// apply.
pub trait Kind {
    /// The full refs' prefix.
    const PREFIX: &'static str;
    /// The word errors use: `branch`, `tag`.
    const WORD: &'static str;
    /// Whether `ls-remote` lists peeled lines (`refs/tags/v1^{}`) of this kind, to be passed over.
    const PEELED: bool;
    /// Returns which rule `name` breaks, or `None` when git accepts it.
    fn broken_rule(name: &str) -> Option<&'static str>;
}

/// Branches: `git check-ref-format --branch`, which also refuses a leading `-`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Branch {}

/// Tags: `git check-ref-format` of `refs/tags/<name>` (a leading `-` is allowed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tag {}

impl Kind for Branch {
    const PREFIX: &'static str = HEADS;
    const WORD: &'static str = "branch";
    const PEELED: bool = false;
    fn broken_rule(name: &str) -> Option<&'static str> {
        if name.starts_with('-') {
            return Some("it begins with `-`");
        }
        broken_ref_rule(name)
    }
}

impl Kind for Tag {
    const PREFIX: &'static str = TAGS;
    const WORD: &'static str = "tag";
    const PEELED: bool = true;
    fn broken_rule(name: &str) -> Option<&'static str> {
        broken_ref_rule(name)
    }
}

/// A short ref name of kind `K`, valid as git requires.
pub struct ShortName<K>(String, PhantomData<K>);

/// A branch's short name, valid as git's `check-ref-format --branch` requires.
pub type BranchName = ShortName<Branch>;

/// A tag's short name, valid as git's `check-ref-format` requires of `refs/tags/<name>`.
pub type TagName = ShortName<Tag>;

/// The error returned when text is not a name git accepts for a branch or a tag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{name}` is not a valid {kind} name: {why}")]
pub struct BadRefName {
    /// The text, as given.
    pub name: String,
    /// `branch` or `tag`.
    pub kind: &'static str,
    /// Which rule of `git check-ref-format` it breaks.
    pub why: &'static str,
}

impl<K: Kind> ShortName<K> {
    /// Returns the name of a full ref: `None` for refs of another kind and for the peeled
    /// lines `ls-remote` adds to tags (`refs/tags/v1^{}`), an error for a name git would not
    /// accept.
    pub fn from_full(refname: &str) -> Option<Result<Self, BadRefName>> {
        let name = refname.strip_prefix(K::PREFIX)?;
        if K::PEELED && name.ends_with("^{}") {
            return None;
        }
        Some(name.parse())
    }

    /// Returns the name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Returns which rule of `git check-ref-format` (git-check-ref-format(1)) `name` breaks as the
/// part after `refs/heads/` or `refs/tags/`, or `None` when git accepts it.
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

impl<K: Kind> FromStr for ShortName<K> {
    type Err = BadRefName;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match K::broken_rule(s) {
            None => Ok(ShortName(s.to_string(), PhantomData)),
            Some(why) => Err(BadRefName { name: s.to_string(), kind: K::WORD, why }),
        }
    }
}

// Derives would ask `K` for the same traits; a name compares, hashes and clones as its text.
impl<K> Clone for ShortName<K> {
    fn clone(&self) -> Self {
        ShortName(self.0.clone(), PhantomData)
    }
}

impl<K> PartialEq for ShortName<K> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<K> Eq for ShortName<K> {}

impl<K> Hash for ShortName<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state)
    }
}

impl<K> PartialOrd for ShortName<K> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl<K> Ord for ShortName<K> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

impl<K> Deref for ShortName<K> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl<K> Borrow<str> for ShortName<K> {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl<K> AsRef<str> for ShortName<K> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<K> PartialEq<str> for ShortName<K> {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl<K> PartialEq<&str> for ShortName<K> {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl<K> fmt::Display for ShortName<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, not `write_str`: tables align names with `{:<width$}`.
        f.pad(&self.0)
    }
}

impl<K> fmt::Debug for ShortName<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<K> serde::Serialize for ShortName<K> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de, K: Kind> serde::Deserialize<'de> for ShortName<K> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl<K: Kind> schemars::JsonSchema for ShortName<K> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("{}Name", if K::PEELED { "Tag" } else { "Branch" }).into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let description = format!("A {} name as git accepts it, without `{}`.", K::WORD, K::PREFIX);
        schemars::json_schema!({ "description": description, "type": "string", "minLength": 1 })
    }
}

/// Which kind of ref: `branch` or `tag`, as the journal and JSON output name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RefKind {
    /// Under `refs/heads/`.
    Branch,
    /// Under `refs/tags/`.
    Tag,
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

    /// Returns whether it is a branch or a tag.
    pub fn kind(&self) -> RefKind {
        match self {
            RefName::Branch(_) => RefKind::Branch,
            RefName::Tag(_) => RefKind::Tag,
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
