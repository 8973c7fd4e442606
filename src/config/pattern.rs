//! Branch and tag patterns with GitLab's protected-ref semantics (docs/architecture.md, docs/tags.md).
//!
//! Owns matching only: a pattern without `*` matches the exact name; `*` matches any run of
//! characters, `/` included; matching is case-sensitive. Split into its literal pieces once,
//! when the config loads; matching needs no regex, so no pattern is too large to load.

/// A branch pattern such as `main` or `release/*`.
#[derive(Clone, Debug)]
pub struct BranchPattern {
    text: String,
    /// For a pattern with `*`: the literal pieces between the stars (`release/`, ``).
    pieces: Option<Vec<String>>,
}

impl BranchPattern {
    /// Returns the compiled pattern, or a description of what is wrong with `text`.
    pub fn new(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err("a pattern must not be empty".into());
        }
        if let Some(bad) = text.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("pattern `{text}` contains {bad:?}, which no ref name can"));
        }
        if text.starts_with("refs/") {
            return Err(format!(
                "pattern `{text}` must be a short name, without `refs/heads/` or `refs/tags/`"
            ));
        }
        // GitLab's RefMatcher quotes the pattern, turns `*` into `.*?` and anchors both ends:
        // the same as matching the literal pieces in order, the first and last at the ends.
        let pieces = text.contains('*').then(|| text.split('*').map(str::to_string).collect());
        Ok(BranchPattern { text: text.to_string(), pieces })
    }

    /// Returns true when `branch` matches this pattern.
    pub fn matches(&self, branch: &str) -> bool {
        let Some(pieces) = &self.pieces else { return self.text == branch };
        let (first, rest) = pieces.split_first().expect("split yields at least one piece");
        let (last, middle) = rest.split_last().expect("a pattern with `*` has two pieces");
        let Some(mut remaining) = branch.strip_prefix(first.as_str()) else { return false };
        if remaining.len() < last.len() {
            return false;
        }
        let end = remaining.len() - last.len();
        if !remaining.is_char_boundary(end) || &remaining[end..] != last.as_str() {
            return false;
        }
        remaining = &remaining[..end];
        // Each middle piece at its leftmost place leaves the most room for the next.
        for piece in middle {
            match remaining.find(piece.as_str()) {
                Some(at) => remaining = &remaining[at + piece.len()..],
                None => return false,
            }
        }
        true
    }

    /// Returns true for a pattern without `*`: it names one branch.
    pub fn is_exact(&self) -> bool {
        self.pieces.is_none()
    }

    /// Returns the pattern as written in the config.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

/// Returns true when any of `patterns` matches `branch`.
pub fn any_match(patterns: &[BranchPattern], branch: &str) -> bool {
    patterns.iter().any(|p| p.matches(branch))
}
