//! What `check` prints: each workspace's checks as aligned lines, or `CheckDocument`
//! (`--format json`, docs/output.md).

use schemars::JsonSchema;
use serde::Serialize;

use crate::checks::{Check, Status};

/// `check --format json`.
#[derive(Serialize, JsonSchema)]
pub struct CheckDocument<'a> {
    /// `gfbridge <version>`.
    pub version: String,
    /// One entry per selected workspace, in config order.
    pub workspaces: Vec<CheckWorkspace<'a>>,
}

/// One workspace's checks.
#[derive(Serialize, JsonSchema)]
pub struct CheckWorkspace<'a> {
    /// The workspace's name.
    pub name: &'a str,
    /// Every check, in order.
    pub checks: &'a [Check],
}

/// Returns the JSON document for each workspace's checks.
pub fn json<'a>(results: &'a [(&'a str, Vec<Check>)]) -> CheckDocument<'a> {
    CheckDocument {
        version: super::version(),
        workspaces: results.iter().map(|(name, checks)| CheckWorkspace { name, checks }).collect(),
    }
}

/// Returns the text for each workspace's checks: `  pass  id  message`, failures in capitals.
pub fn text(results: &[(&str, Vec<Check>)]) -> String {
    let mut out = String::new();
    for (name, checks) in results {
        out.push_str(&format!("{name}:\n"));
        let width = checks.iter().map(|c| c.id.as_str().len()).max().unwrap_or(0);
        for c in checks {
            let status = match c.status {
                Status::Pass => "pass",
                Status::Skip => "skip",
                Status::Warn => "WARN",
                Status::Fail => "FAIL",
            };
            out.push_str(&format!("  {status}  {:<width$}  {}\n", c.id, c.message));
        }
    }
    out
}
