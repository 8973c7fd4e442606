//! What `authors` prints: per workspace, how each git author maps to Perforce (text), the
//! `AuthorsDocument` (`--format json`), or the `p4gf_usermap` lines that make Git Fusion follow
//! `[authors]` (`--format usermap`).

use schemars::JsonSchema;
use serde::Serialize;

use crate::attribution::{usermap_lines, Attribution, AuthorRow};
use crate::config::Config;

/// `authors --format json`.
#[derive(Serialize, JsonSchema)]
pub struct AuthorsDocument<'a> {
    /// `gfbridge <version>`.
    pub version: String,
    /// One entry per selected workspace, in config order.
    pub workspaces: Vec<AuthorsWorkspace<'a>>,
}

/// One workspace's authors.
#[derive(Serialize, JsonSchema)]
pub struct AuthorsWorkspace<'a> {
    /// The workspace's name.
    pub name: &'a str,
    /// One row per git author email.
    pub authors: &'a [AuthorRow],
}

/// Returns the JSON document.
pub fn json<'a>(results: &'a [(&'a str, Attribution)]) -> AuthorsDocument<'a> {
    AuthorsDocument {
        version: super::version(),
        workspaces: results
            .iter()
            .map(|(name, a)| AuthorsWorkspace { name, authors: &a.rows })
            .collect(),
    }
}

/// Returns the text: a line per workspace, then each author and why Git Fusion picks its user.
pub fn text(results: &[(&str, Attribution)], all_history: bool) -> String {
    let scope = if all_history { "in the mirrored history" } else { "that would go to Git Fusion" };
    let mut out = String::new();
    for (name, a) in results {
        let commits: usize = a.rows.iter().map(|r| r.commits).sum();
        out.push_str(&format!(
            "{name}: {} author(s) of {commits} commit(s) {scope}\n",
            a.rows.len()
        ));
        for r in &a.rows {
            out.push_str(&format!("  {}\n", r.line()));
            out.push_str(&format!("      {}\n", r.detail));
        }
    }
    out
}

/// Returns the `p4gf_usermap` lines, once each, under a comment saying where they go.
pub fn usermap(config: &Config, results: &[(&str, Attribution)]) -> String {
    let mut out = String::from(
        "# p4gf_usermap lines that make Git Fusion attribute as [authors] says.\n\
         # Usermap lines are read in file order before p4 users: put these at the top.\n",
    );
    let mut lines: Vec<String> =
        results.iter().flat_map(|(_, a)| usermap_lines(config, a)).collect();
    lines.dedup();
    for line in lines {
        out.push_str(&line);
        out.push('\n');
    }
    out
}
