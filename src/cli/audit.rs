//! `gfbridge audit`: holds the owners predicted for the commits gfbridge pushed to what
//! Perforce recorded (`crate::audit`), and prints it (`output::audit`). Exit 0 when every
//! commit matches, 3 when one does not or is missing, 1 when Perforce cannot be read, 2
//! without a Perforce server.

use clap::Args;

use super::{print, with_workspaces, Context, TextOrJson, WorkspaceSelection};
use crate::audit::{audit_workspace, Summary, DEFAULT_LAST};
use crate::errors::Shown;
use crate::exit::Exit;
use crate::output;
use crate::state::predictions::Window;

/// Arguments of `gfbridge audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    selection: WorkspaceSelection,
    /// Audit the last N commits gfbridge pushed, per workspace [default: 1000]
    #[arg(long, value_name = "N", conflicts_with = "since")]
    last: Option<usize>,
    /// Audit the commits pushed at or after this time (RFC 3339, e.g. 2026-12-01T00:00:00Z)
    #[arg(long, value_name = "TIME")]
    since: Option<jiff::Timestamp>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

/// Runs `audit` and returns the exit code.
pub fn run(args: &AuditArgs, ctx: &Context) -> Result<Exit, Shown> {
    let window = match (args.since, args.last) {
        (Some(since), _) => Window::Since(since),
        (None, last) => Window::Last(last.unwrap_or(DEFAULT_LAST)),
    };
    with_workspaces(ctx, &args.selection.workspaces, |config, selected| {
        let mut results = Vec::new();
        for ws in selected {
            ctx.progress.say(&format!("{}: auditing", ws.name));
            let rows = audit_workspace(&config.bridge.cache_dir, ws, &window).map_err(|e| {
                let shown = Shown::from(&e);
                Shown { message: format!("{}: {}", ws.name, shown.message), ..shown }
            })?;
            results.push((ws.name.as_str(), rows));
        }
        match args.format {
            TextOrJson::Text => print(&output::audit::text(&results)),
            TextOrJson::Json => print(&output::json_text(&output::audit::json(&results))),
        }
        let clean = results.iter().all(|(_, rows)| Summary::of(rows).clean());
        Ok(if clean { Exit::Ok } else { Exit::Attention })
    })
}
