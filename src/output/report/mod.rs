//! The report's formats (docs/report.md): `text` for a terminal, `markdown` and `html` to sign
//! and keep, and the JSON document (`ReportDocument`, `report --format json`). Each renders the
//! same [`Report`]; fields of the JSON may be added, never renamed or dropped.

pub mod html;
pub mod markdown;
pub mod text;

use schemars::JsonSchema;
use serde::Serialize;

use super::refs::{BranchJson, TagJson};
use crate::attribution::AuthorRow;
use crate::audit::Summary;
use crate::check_id::CheckId;
use crate::checks::Check;
use crate::report::verdict::Blocker;
use crate::report::{Report, WorkspaceReport};

/// `report --format json`.
#[derive(Serialize, JsonSchema)]
pub struct ReportDocument<'a> {
    /// `gfbridge <version>`.
    pub version: String,
    /// When the report was made, RFC 3339 UTC.
    pub generated_at: &'a str,
    /// True only when every workspace is ready: verified, not assumed.
    pub ready: bool,
    /// The report's exit code: 0 ready, 3 not ready, 1 or 2 when it could not be made.
    pub exit_code: u8,
    /// One entry per workspace, in config order.
    pub workspaces: Vec<ReportWorkspace<'a>>,
}

/// One workspace in `ReportDocument`.
#[derive(Serialize, JsonSchema)]
pub struct ReportWorkspace<'a> {
    /// The workspace's name.
    pub name: &'a str,
    /// Whether the workspace is ready for cutover.
    pub ready: bool,
    /// Why it is not, people's work first (empty when ready).
    pub blockers: Vec<Blocker>,
    /// The blockers, one line each.
    pub not_ready_because: Vec<String>,
    /// The operational failure that stopped the dry run, else `null`.
    pub error: Option<&'a str>,
    /// Checks that could not run, accepted by the workspace's `accept_unchecked`.
    pub accepted_unchecked: Vec<AcceptedCheck<'a>>,
    /// Every check, in order.
    pub checks: &'a [Check],
    /// The dry run's branches.
    pub branches: Vec<BranchJson<'a>>,
    /// The dry run's tags.
    pub tags: Vec<TagJson<'a>>,
    /// Who the authors of the commits going to Git Fusion become.
    pub authors: &'a [AuthorRow],
    /// Why the author table could not be made, else `null`.
    pub authors_error: Option<&'a str>,
    /// The audit of the last 1,000 commits pushed to Git Fusion: how many match, mismatch or
    /// are missing; `null` without a Perforce server (or when it could not be read: see
    /// `audit_error`).
    pub audit: Option<Summary>,
    /// Why the audit could not be made, else `null`.
    pub audit_error: Option<&'a str>,
}

/// A check that could not run, accepted as not made.
#[derive(Serialize, JsonSchema)]
pub struct AcceptedCheck<'a> {
    /// The check's id.
    pub id: CheckId,
    /// Why it could not run.
    pub message: &'a str,
}

/// Returns the audit of what Perforce recorded, in one line for people (`None` without a
/// Perforce server).
fn audit_line(ws: &WorkspaceReport) -> Option<String> {
    Some(match ws.audit.as_ref()? {
        Ok(s) if s.matched + s.mismatch + s.missing == 0 => {
            "audit: no commit pushed to Git Fusion is recorded yet".to_string()
        }
        Ok(s) => format!(
            "audit of the last commits pushed to Git Fusion: {} match, {} mismatch, {} missing",
            s.matched, s.mismatch, s.missing
        ),
        Err(why) => format!("audit: what Perforce recorded could not be read: {why}"),
    })
}

/// Returns the JSON document of `report`.
pub fn json(report: &Report) -> ReportDocument<'_> {
    ReportDocument {
        version: super::version(),
        generated_at: &report.generated_at,
        ready: report.ready(),
        exit_code: report.exit().code(),
        workspaces: report.workspaces.iter().map(workspace).collect(),
    }
}

fn workspace(ws: &WorkspaceReport) -> ReportWorkspace<'_> {
    let blockers = ws.blockers();
    let (authors, authors_error) = match &ws.authors {
        Ok(rows) => (rows.as_slice(), None),
        Err(why) => (&[][..], Some(why.as_str())),
    };
    ReportWorkspace {
        name: &ws.name,
        ready: ws.ready(),
        not_ready_because: blockers.iter().map(Blocker::line).collect(),
        blockers,
        error: ws.plan.error.as_ref().map(|e| e.message.as_str()),
        accepted_unchecked: ws
            .accepted_unchecked()
            .iter()
            .map(|c| AcceptedCheck { id: c.id, message: &c.message })
            .collect(),
        checks: &ws.checks,
        branches: ws.plan.branches.iter().map(BranchJson::from).collect(),
        tags: ws.plan.tags.iter().map(TagJson::from).collect(),
        authors,
        authors_error,
        audit: ws.audit.as_ref().and_then(|a| a.as_ref().ok()).copied(),
        audit_error: ws.audit.as_ref().and_then(|a| a.as_ref().err()).map(String::as_str),
    }
}
