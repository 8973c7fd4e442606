//! `gfbridge check`: run each check of docs/git-fusion.md and print them (`output::check`); exit
//! 0, or 3 when any fails.

use clap::Args;

use super::{print, with_workspaces, Context, TextOrJson, WorkspaceSelection};
use crate::checks::{run_checks, Status};
use crate::config::{Config, Workspace};
use crate::errors::Shown;
use crate::exit::Exit;
use crate::output;
use crate::output::check::Checked;
use crate::state::retired;

/// Arguments of `gfbridge check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    selection: WorkspaceSelection,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

/// Runs `check` and returns the exit code.
pub fn run(args: &CheckArgs, ctx: &Context) -> Result<Exit, Shown> {
    with_workspaces(ctx, &args.selection.workspaces, |config, selected| {
        Ok(run_on(args, ctx, config, selected))
    })
}

fn run_on(args: &CheckArgs, ctx: &Context, config: &Config, selected: Vec<&Workspace>) -> Exit {
    let results: Vec<Checked> = selected
        .iter()
        .map(|ws| {
            // A retired workspace's remotes may be gone: it is shown retired, not checked.
            let retired = retired::of(&config.bridge.cache_dir, &ws.name).ok().flatten();
            let checks = match retired {
                Some(_) => Vec::new(),
                None => {
                    ctx.progress.say(&format!("{}: checking", ws.name));
                    run_checks(config, ws)
                }
            };
            Checked { name: ws.name.as_str(), retired, checks }
        })
        .collect();
    match args.format {
        TextOrJson::Text => print(&output::check::text(&results)),
        TextOrJson::Json => print(&output::json_text(&output::check::json(&results))),
    }
    let failed = results.iter().flat_map(|c| &c.checks).any(|c| c.status == Status::Fail);
    if failed {
        Exit::Attention
    } else {
        Exit::Ok
    }
}
