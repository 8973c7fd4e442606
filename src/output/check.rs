//! What `check` prints: each workspace's checks as aligned lines, or `CheckDocument`
//! (`--format json`, docs/output.md).

use schemars::JsonSchema;
use serde::Serialize;

use crate::checks::{Check, Status};
use crate::state::retired::Retired;

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
    /// When a cutover retired the workspace, else `null`: a retired workspace is not checked.
    pub retired: Option<&'a Retired>,
    /// Every check, in order (none for a retired workspace).
    pub checks: &'a [Check],
}

/// One workspace's checks, or its retirement.
pub struct Checked<'a> {
    /// The workspace's name.
    pub name: &'a str,
    /// When a cutover retired it.
    pub retired: Option<Retired>,
    /// Its checks (none when retired).
    pub checks: Vec<Check>,
}

/// Returns the JSON document for each workspace's checks.
pub fn json<'a>(results: &'a [Checked<'a>]) -> CheckDocument<'a> {
    CheckDocument {
        version: super::version(),
        workspaces: results
            .iter()
            .map(|c| CheckWorkspace {
                name: c.name,
                retired: c.retired.as_ref(),
                checks: &c.checks,
            })
            .collect(),
    }
}

/// Returns the text for each workspace's checks: `  pass  id  message`, failures in capitals.
pub fn text(results: &[Checked<'_>]) -> String {
    let mut out = String::new();
    for Checked { name, retired, checks } in results {
        out.push_str(&format!("{name}:\n"));
        if let Some(r) = retired {
            let record = r.record.display();
            out.push_str(&format!("  retired by cutover at {} (record: {record})\n", r.at));
        }
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
