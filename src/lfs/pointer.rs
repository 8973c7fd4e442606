//! What a Git LFS pointer is, by the two tests docs/lfs.md names: the Git LFS specification's
//! (what gfbridge copies objects for, and what GitLab checks) and Git Fusion's looser one
//! (what Git Fusion refuses, docs/git-fusion.md). Pure: callers hand in the blob's bytes.

use std::fmt;
use std::str::FromStr;

/// A Git LFS object id: the SHA-256 of the content, 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LfsOid([u8; 32]);

/// The error returned when text is not 64 lower-case hex digits.
#[derive(Debug, thiserror::Error)]
#[error("`{0}` is not a Git LFS object id (64 lower-case hex digits)")]
pub struct ParseLfsOidError(String);

impl LfsOid {
    /// Returns the id of a SHA-256 digest.
    pub fn from_digest(digest: [u8; 32]) -> LfsOid {
        LfsOid(digest)
    }

    /// Returns the first seven hex digits, for people.
    pub fn short(&self) -> String {
        self.to_string()[..7].to_string()
    }
}

impl FromStr for LfsOid {
    type Err = ParseLfsOidError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || ParseLfsOidError(s.to_string());
        if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(bad());
        }
        let mut bytes = [0u8; 32];
        for (i, byte) in bytes.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
        }
        Ok(LfsOid(bytes))
    }
}

impl fmt::Display for LfsOid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for LfsOid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LfsOid({})", self.short())
    }
}

impl serde::Serialize for LfsOid {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for LfsOid {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// An object a pointer names: its id and size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pointer {
    /// The object's SHA-256.
    pub oid: LfsOid,
    /// The object's size in bytes.
    pub size: u64,
}

/// The largest blob the Git LFS specification allows a pointer to be.
pub const SPEC_MAX_BYTES: u64 = 1024;
/// The largest blob Git Fusion reads as a pointer (`_TEXT_POINTER_MAX_BYTE_COUNT`).
pub const FUSION_MAX_BYTES: u64 = 3000;
const VERSION_LINE: &[u8] = b"version https://git-lfs.github.com/spec/v1";

/// Returns the pointer `blob` is by the Git LFS specification: at most 1024 bytes, first
/// line `version https://git-lfs.github.com/spec/v1`, then `key value` lines among which
/// `oid sha256:<64 hex>` and `size <n>`. Anything else is an ordinary file.
pub fn parse_spec(blob: &[u8]) -> Option<Pointer> {
    if blob.len() as u64 > SPEC_MAX_BYTES || !blob.ends_with(b"\n") {
        return None;
    }
    let mut lines = blob[..blob.len() - 1].split(|b| *b == b'\n');
    if lines.next()? != VERSION_LINE {
        return None;
    }
    let (mut oid, mut size) = (None, None);
    for line in lines {
        let line = std::str::from_utf8(line).ok()?;
        let (key, value) = line.split_once(' ')?;
        match key {
            "oid" => oid = Some(value.strip_prefix("sha256:")?.parse().ok()?),
            "size" if value.bytes().all(|b| b.is_ascii_digit()) => size = value.parse().ok(),
            "size" => return None,
            _ if key
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b)) => {}
            _ => return None,
        }
    }
    Some(Pointer { oid: oid?, size: size? })
}

/// What Git Fusion takes a blob for (p4gf_lfs_file_spec.py `from_blob`): a pointer when it is
/// at most 3000 bytes, valid UTF-8, and some line holds `oid sha256:` and 64 lower-case hex
/// digits; the last such line names the object, and `size` may be missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FusionPointer {
    /// The object id Git Fusion reads.
    pub oid: LfsOid,
    /// The size, when a line holds `size <digits>`.
    pub size: Option<u64>,
}

/// Returns what Git Fusion reads in `blob`, or `None` when it sees an ordinary file.
pub fn parse_fusion(blob: &[u8]) -> Option<FusionPointer> {
    if blob.len() as u64 > FUSION_MAX_BYTES {
        return None;
    }
    let text = std::str::from_utf8(blob).ok()?;
    let (mut oid, mut size) = (None, None);
    for line in python_lines(text) {
        if let Some(found) = find_oid(line) {
            oid = Some(found);
        } else if let Some(found) = find_size(line) {
            size = Some(found);
        }
    }
    Some(FusionPointer { oid: oid?, size })
}

/// Returns the first `oid sha256:<64 lower-case hex>` anywhere in `line` (a `re.search`).
fn find_oid(line: &str) -> Option<LfsOid> {
    const MARK: &str = "oid sha256:";
    line.match_indices(MARK)
        .find_map(|(at, _)| line.get(at + MARK.len()..at + MARK.len() + 64)?.parse().ok())
}

/// Returns the number after the first `size ` followed by a digit in `line` (a `re.search`
/// for `size ([0-9]+)`).
fn find_size(line: &str) -> Option<u64> {
    line.match_indices("size ").find_map(|(at, _)| {
        let digits: String = line[at + 5..].chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    })
}

/// Splits `text` at the line boundaries Python's `str.splitlines` knows.
pub fn python_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let breaks = |c: char| {
            matches!(
                c,
                '\n' | '\r'
                    | '\x0b'
                    | '\x0c'
                    | '\x1c'
                    | '\x1d'
                    | '\x1e'
                    | '\u{85}'
                    | '\u{2028}'
                    | '\u{2029}'
            )
        };
        match rest.find(breaks) {
            Some(at) => {
                let line = &rest[..at];
                let width = if rest[at..].starts_with("\r\n") {
                    2
                } else {
                    rest[at..].chars().next().map_or(1, char::len_utf8)
                };
                rest = &rest[at + width..];
                Some(line)
            }
            None => Some(std::mem::take(&mut rest)),
        }
    })
}
