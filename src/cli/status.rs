//! `gfbridge status`: how the last runs went, from local state only (docs/output.md).

use clap::Args;

use super::{print, with_workspaces, Context, TextOrJson, WorkspaceSelection};
use crate::errors::Shown;
use crate::exit::Exit;
use crate::output;
use crate::status::{self, WorkspaceStatus};

/// Arguments of `gfbridge status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    #[command(flatten)]
    selection: WorkspaceSelection,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

/// Runs `status`: exit 3 when a last run needed attention, a push is remembered as failed,
/// or a workspace's state is gone after runs; 0 otherwise (a pending push alone is 0).
pub fn run(args: &StatusArgs, ctx: &Context) -> Result<Exit, Shown> {
    with_workspaces(ctx, &args.selection.workspaces, |config, selected| {
        let statuses: Vec<WorkspaceStatus> =
            selected.iter().map(|ws| status::workspace(config, ws)).collect();
        match args.format {
            TextOrJson::Text => print(&output::status::text(&statuses)),
            TextOrJson::Json => print(&output::json_text(&output::status::json(&statuses))),
        }
        Ok(Exit::worst(statuses.iter().map(WorkspaceStatus::exit)))
    })
}
