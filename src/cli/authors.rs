//! `gfbridge authors`: how each author of the outgoing commits (or all history) maps to
//! Perforce, and the `p4gf_usermap` lines that make Git Fusion follow `[authors]`.

use clap::{Args, ValueEnum};

use super::{print, with_workspaces, Context, WorkspaceSelection};
use crate::attribution::attribution;
use crate::config::{Config, Workspace};
use crate::errors::Shown;
use crate::exit::Exit;
use crate::output;

/// Arguments of `gfbridge authors`.
#[derive(Debug, Args)]
pub struct AuthorsArgs {
    #[command(flatten)]
    selection: WorkspaceSelection,
    /// Consider every commit of the mirrored GitLab branches, not only those Git Fusion lacks
    #[arg(long)]
    all_history: bool,
    /// Output format; `usermap` prints lines to put at the top of p4gf_usermap
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Json,
    Usermap,
}

/// Runs `authors` and returns the exit code: 0, 1 when it cannot be computed, 3 when an
/// author would be rejected or attributed against `[authors]`, 4 when another run holds the
/// workspace.
pub fn run(args: &AuthorsArgs, ctx: &Context) -> Result<Exit, Shown> {
    with_workspaces(ctx, &args.selection.workspaces, |config, selected| {
        run_on(args, ctx, config, selected)
    })
}

fn run_on(
    args: &AuthorsArgs,
    ctx: &Context,
    config: &Config,
    selected: Vec<&Workspace>,
) -> Result<Exit, Shown> {
    let mut results = Vec::new();
    for ws in selected {
        ctx.progress.say(&format!("{}: reading authors", ws.name));
        let found = attribution(config, ws, args.all_history, &ctx.progress).map_err(|e| {
            let shown = Shown::from(&e);
            Shown { message: format!("{}: {}", ws.name, shown.message), ..shown }
        })?;
        results.push((ws.name.as_str(), found));
    }
    match args.format {
        Format::Text => print(&output::authors::text(&results, args.all_history)),
        Format::Json => print(&output::json_text(&output::authors::json(&results))),
        Format::Usermap => print(&output::authors::usermap(config, &results)),
    }
    let trouble =
        results.iter().flat_map(|(_, a)| &a.rows).any(|r| r.p4_user.is_none() || r.mismatch());
    Ok(if trouble { Exit::Attention } else { Exit::Ok })
}
