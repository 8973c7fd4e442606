//! `gfbridge check`: print each check of docs/git-fusion.md; exit 0, or 3 when any fails.

use clap::Args;
use serde_json::json;

use super::{print, with_workspaces, Context, TextOrJson, WorkspaceSelection};
use crate::checks::{run_checks, Check, Status};
use crate::config::{Config, Workspace};
use crate::errors::Shown;
use crate::exit::Exit;

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
    let results: Vec<(&str, Vec<Check>)> = selected
        .iter()
        .map(|ws| {
            ctx.progress.say(&format!("{}: checking", ws.name));
            (ws.name.as_str(), run_checks(config, ws))
        })
        .collect();
    match args.format {
        TextOrJson::Text => print(&text(&results)),
        TextOrJson::Json => {
            let workspaces: Vec<_> = results
                .iter()
                .map(|(name, checks)| json!({"name": name, "checks": checks}))
                .collect();
            let doc = json!({"version": crate::render::json::version(), "workspaces": workspaces});
            print(&format!("{doc:#}\n"));
        }
    }
    let failed = results.iter().flat_map(|(_, c)| c).any(|c| c.status == Status::Fail);
    if failed {
        Exit::Attention
    } else {
        Exit::Ok
    }
}

fn text(results: &[(&str, Vec<Check>)]) -> String {
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
