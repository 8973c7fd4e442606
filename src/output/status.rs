//! What `status` prints (docs/output.md): per workspace, the last run, the last success, what
//! needs attention and since when, remembered pushes, the lock and the state; or
//! `StatusDocument` (`--format json`). Reads nothing itself: `status` gathers.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::Serialize;

use crate::state::pushes::PushState;
use crate::state::retired::Retired;
use crate::status::{Attention, Push, WorkspaceStatus};

/// `status --format json`.
#[derive(Serialize, JsonSchema)]
pub struct StatusDocument<'a> {
    /// `gfbridge <version>`.
    pub version: String,
    /// When the document was made, RFC 3339 UTC.
    pub generated_at: String,
    /// One entry per selected workspace, in config order.
    pub workspaces: Vec<StatusWorkspace<'a>>,
}

/// One workspace's status.
#[derive(Serialize, JsonSchema)]
pub struct StatusWorkspace<'a> {
    /// The workspace's name.
    pub name: &'a str,
    /// The last finished run, `null` when none is recorded.
    pub last_run: Option<LastRun<'a>>,
    /// When the last run without an operational failure ended.
    pub last_success: Option<&'a str>,
    /// The refs the last run left needing a person, and since when.
    pub attention: &'a [Attention],
    /// Remembered failed and pending pushes to Git Fusion.
    pub pushes: &'a [Push],
    /// Whether a run holds the workspace now.
    pub running: bool,
    /// `ok` when the bases exist, `missing` when they do not.
    pub state: StateWord,
    /// A local file that could not be read, else `null`.
    pub error: Option<&'a str>,
    /// When a cutover retired the workspace and where its record is, else `null`.
    pub retired: Option<&'a Retired>,
}

/// The last finished run.
#[derive(Serialize, JsonSchema)]
pub struct LastRun<'a> {
    /// The run id, as in the journal.
    pub run: &'a str,
    /// When it ended, RFC 3339 UTC.
    pub time: &'a str,
    /// Its exit code.
    pub exit_code: u8,
    /// The operational failure that stopped it, else `null`.
    pub error: Option<&'a str>,
}

/// Whether a workspace's bases exist.
#[derive(Clone, Copy, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum StateWord {
    /// They do.
    Ok,
    /// They do not (none yet, or gone).
    Missing,
}

/// Returns the JSON document.
pub fn json(statuses: &[WorkspaceStatus]) -> StatusDocument<'_> {
    let workspaces = statuses
        .iter()
        .map(|s| StatusWorkspace {
            name: &s.name,
            last_run: s.last_run.as_ref().map(|r| LastRun {
                run: &r.run,
                time: &r.time,
                exit_code: r.exit_code,
                error: r.error.as_deref(),
            }),
            last_success: s.last_success.as_deref(),
            attention: &s.attention,
            pushes: &s.pushes,
            running: s.running,
            state: if s.state_present { StateWord::Ok } else { StateWord::Missing },
            error: s.error.as_deref(),
            retired: s.retired.as_ref(),
        })
        .collect();
    StatusDocument {
        version: super::version(),
        generated_at: crate::state::journal::now_rfc3339(),
        workspaces,
    }
}

/// Returns the text for a terminal.
pub fn text(statuses: &[WorkspaceStatus]) -> String {
    let mut out = String::new();
    for s in statuses {
        let _ = writeln!(out, "{}:", s.name);
        if let Some(e) = &s.error {
            let _ = writeln!(out, "  error: cannot read local state: {e}");
        }
        if let Some(r) = &s.retired {
            let _ =
                writeln!(out, "  retired: by cutover at {} (record: {})", r.at, r.record.display());
        }
        match &s.last_run {
            None => out.push_str("  last run: none recorded\n"),
            Some(r) => {
                let _ = writeln!(out, "  last run: {} exit {} ({})", r.time, r.exit_code, r.run);
                if let Some(e) = &r.error {
                    let _ = writeln!(out, "    error: {e}");
                }
            }
        }
        let success = s.last_success.as_deref().unwrap_or("never");
        let _ = writeln!(out, "  last success: {success}");
        if s.running {
            out.push_str("  running: a run holds the workspace now\n");
        }
        if !s.state_present {
            let why = if s.last_run.is_some() {
                "MISSING: the bases are gone; rewrites cannot be told from new work until both sides are seen equal"
            } else {
                "none yet (no run has made it)"
            };
            let _ = writeln!(out, "  state: {why}");
        }
        for a in &s.attention {
            let _ =
                writeln!(out, "  needs attention: {} {} since {}", a.ref_name, a.action, a.since);
        }
        for p in &s.pushes {
            let id = p.push_id.map_or_else(|| "?".to_string(), |n| n.to_string());
            let state = match p.state {
                PushState::Pending => "pending",
                PushState::Failed => "failed",
            };
            let since = p.since.as_deref().unwrap_or("an earlier version");
            let _ =
                writeln!(out, "  push {id} of {} {state} since {since}: {}", p.ref_name, p.message);
        }
    }
    out
}
