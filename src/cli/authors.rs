//! `gfbridge authors`: how each author of the outgoing commits (or all history) maps to
//! Perforce, and the `p4gf_usermap` lines that make Git Fusion follow `[authors]`.

use clap::{Args, ValueEnum};
use serde_json::json;

use super::{print, with_workspaces, Context, WorkspaceSelection};
use crate::attribution::{attribution, usermap_lines, Attribution};
use crate::config::{Config, Workspace};
use crate::errors::Shown;
use crate::exit::Exit;

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
        Format::Text => print(&text(&results, args.all_history)),
        Format::Json => {
            let workspaces: Vec<_> =
                results.iter().map(|(name, a)| json!({"name": name, "authors": a.rows})).collect();
            let doc = json!({"version": crate::render::json::version(), "workspaces": workspaces});
            print(&format!("{doc:#}\n"));
        }
        Format::Usermap => print(&usermap(config, &results)),
    }
    let trouble =
        results.iter().flat_map(|(_, a)| &a.rows).any(|r| r.p4_user.is_none() || r.mismatch());
    Ok(if trouble { Exit::Attention } else { Exit::Ok })
}

fn text(results: &[(&str, Attribution)], all_history: bool) -> String {
    let scope = if all_history { "in the mirrored history" } else { "that would go to Git Fusion" };
    let mut out = String::new();
    for (name, a) in results {
        let commits: usize = a.rows.iter().map(|r| r.commits).sum();
        out.push_str(&format!(
            "{name}: {} author(s) of {commits} commit(s) {scope}\n",
            a.rows.len()
        ));
        for r in &a.rows {
            out.push_str(&format!("  {}\n", r.line()));
            out.push_str(&format!("      {}\n", r.detail));
        }
    }
    out
}

fn usermap(config: &crate::config::Config, results: &[(&str, Attribution)]) -> String {
    let mut out = String::from(
        "# p4gf_usermap lines that make Git Fusion attribute as [authors] says.\n\
         # Usermap lines are read in file order before p4 users: put these at the top.\n",
    );
    let mut lines: Vec<String> =
        results.iter().flat_map(|(_, a)| usermap_lines(config, a)).collect();
    lines.dedup();
    for line in lines {
        out.push_str(&line);
        out.push('\n');
    }
    out
}
