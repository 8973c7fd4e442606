//! Branch patterns with GitLab's protected-branch semantics (SPEC §1).
//!
//! Owns matching only: a pattern without `*` matches the exact name; `*` matches any run of
//! characters, `/` included; matching is case-sensitive. Compiled once, when the config loads.

use regex::Regex;

/// A compiled branch pattern such as `main` or `release/*`.
#[derive(Clone, Debug)]
pub struct BranchPattern {
    text: String,
    wildcard: Option<Regex>,
}

impl BranchPattern {
    /// Returns the compiled pattern, or a description of what is wrong with `text`.
    pub fn new(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err("a branch pattern must not be empty".into());
        }
        if let Some(bad) = text.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "branch pattern `{text}` contains {bad:?}, which no branch name can"
            ));
        }
        if text.starts_with("refs/") {
            return Err(format!(
                "branch pattern `{text}` must be a branch name, without `refs/heads/`"
            ));
        }
        let wildcard = text.contains('*').then(|| {
            // GitLab's RefMatcher: quote the pattern, `*` becomes `.*?`, anchored at both ends.
            let body: Vec<String> = text.split('*').map(regex::escape).collect();
            Regex::new(&format!(r"\A{}\z", body.join(".*?")))
                .expect("escaped text is a valid regex")
        });
        Ok(BranchPattern { text: text.to_string(), wildcard })
    }

    /// Returns true when `branch` matches this pattern.
    pub fn matches(&self, branch: &str) -> bool {
        match &self.wildcard {
            Some(re) => re.is_match(branch),
            None => self.text == branch,
        }
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
