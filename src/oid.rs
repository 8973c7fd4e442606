//! Commit ids as they cross the boundary: parsed once from `git` output, then typed.
//!
//! Owns the 40-hex text form and its short form; must not know about repositories.

use std::fmt;
use std::str::FromStr;

/// A full SHA-1 commit id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Oid(git2::Oid);

/// The error returned when text is not a 40-hex commit id.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a 40-hex commit id")]
pub struct ParseOidError(String);

impl Oid {
    /// Returns the first seven hex digits, the form people read in output.
    pub fn short(&self) -> String {
        self.to_string()[..7].to_string()
    }

    /// Returns the id as libgit2 wants it.
    pub fn raw(&self) -> git2::Oid {
        self.0
    }
}

impl From<git2::Oid> for Oid {
    fn from(oid: git2::Oid) -> Self {
        Oid(oid)
    }
}

impl FromStr for Oid {
    type Err = ParseOidError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        // git2 accepts short prefixes; the contract only ever carries full ids.
        if s.len() != 40 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ParseOidError(s.to_string()));
        }
        git2::Oid::from_str(s).map(Oid).map_err(|_| ParseOidError(s.to_string()))
    }
}

impl fmt::Display for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Oid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Oid({})", self.short())
    }
}

impl serde::Serialize for Oid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Oid {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl schemars::JsonSchema for Oid {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Oid".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A git object id: 40 lowercase hexadecimal digits.",
            "type": "string",
            "pattern": "^[0-9a-f]{40}$"
        })
    }
}
