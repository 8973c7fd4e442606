//! What `audit` prints (docs/audit.md): per workspace, a summary line and each commit whose
//! changelist owner is not the predicted one or that Perforce never got; or `AuditDocument`
//! (`--format json`) with every audited commit.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::Serialize;

use crate::audit::{Audited, Summary, Verdict};

/// `audit --format json`.
#[derive(Serialize, JsonSchema)]
pub struct AuditDocument<'a> {
    /// `gfbridge <version>`.
    pub version: String,
    /// When the document was made, RFC 3339 UTC.
    pub generated_at: String,
    /// One entry per selected workspace, in config order.
    pub workspaces: Vec<AuditWorkspace<'a>>,
}

/// One workspace's audit.
#[derive(Serialize, JsonSchema)]
pub struct AuditWorkspace<'a> {
    /// The workspace's name.
    pub name: &'a str,
    /// Every audited commit, in the order they were pushed.
    pub commits: &'a [Audited],
    /// How many came out each way.
    pub summary: Summary,
}

/// Returns the JSON document.
pub fn json<'a>(results: &'a [(&'a str, Vec<Audited>)]) -> AuditDocument<'a> {
    AuditDocument {
        version: super::version(),
        generated_at: crate::state::journal::now_rfc3339(),
        workspaces: results
            .iter()
            .map(|(name, rows)| AuditWorkspace { name, commits: rows, summary: Summary::of(rows) })
            .collect(),
    }
}

/// Returns the text: a summary line per workspace, then one line per commit that is off.
pub fn text(results: &[(&str, Vec<Audited>)]) -> String {
    let mut out = String::new();
    for (name, rows) in results {
        let s = Summary::of(rows);
        if rows.is_empty() {
            let _ = writeln!(out, "{name}: no pushed commit recorded yet");
            continue;
        }
        let _ = writeln!(
            out,
            "{name}: {} commit(s) audited: {} match, {} mismatch, {} missing",
            rows.len(),
            s.matched,
            s.mismatch,
            s.missing
        );
        let predicted =
            |r: &Audited| r.predicted_owner.clone().unwrap_or_else(|| "(refused)".into());
        for r in rows {
            let short = r.commit.short();
            match r.result {
                Verdict::Match => {}
                Verdict::Mismatch => {
                    let _ = writeln!(
                        out,
                        "  mismatch  {short} {}  change {}: owner {}, predicted {}",
                        r.branch,
                        r.change.map_or_else(|| "?".into(), |c| c.to_string()),
                        r.owner.as_deref().unwrap_or("?"),
                        predicted(r)
                    );
                }
                Verdict::Missing => {
                    let _ = writeln!(
                        out,
                        "  missing   {short} {}  Perforce has no record of it (predicted owner {})",
                        r.branch,
                        predicted(r)
                    );
                }
            }
        }
    }
    out
}
