//! `gfbridge cutover -w NAME [--execute [-o DIR] | --undo]`: the end of a migration as one
//! checked, recorded step (`crate::cutover`), printed by `output::cutover`. Exit 0 when it
//! would succeed or did, 3 when a condition is not met (nothing written), 2 for bad input
//! (an unknown or retired workspace, `--undo` of one in service, a directory that cannot take
//! the record), 4 when another run holds the workspace.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::sync::MAX_WAIT_SECS;
use super::{print, Context, TextOrJson};
use crate::cutover::{cutover, undo, Options};
use crate::errors::Shown;
use crate::exit::Exit;
use crate::output;

/// Arguments of `gfbridge cutover`.
#[derive(Debug, Args)]
pub struct CutoverArgs {
    /// The workspace to cut over (one, by name)
    #[arg(short, long = "workspace", value_name = "NAME", required = true)]
    workspace: String,
    /// Sync, check every condition, write the record and retire the workspace; without it,
    /// only say whether a cutover would succeed (nothing is written)
    #[arg(long, conflicts_with = "undo")]
    execute: bool,
    /// Return a retired workspace to service (its record stays where it was written)
    #[arg(long)]
    undo: bool,
    /// Where `--execute` writes cutover-<workspace>-<UTC time>.json and .md
    #[arg(short, long, value_name = "DIR", default_value = ".")]
    output: PathBuf,
    /// Wait up to SECS for another run holding the workspace, instead of exiting 4
    #[arg(long, value_name = "SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(0..=MAX_WAIT_SECS))]
    wait: u64,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

/// Runs `cutover` and returns the exit code.
pub fn run(args: &CutoverArgs, ctx: &Context) -> Result<Exit, Shown> {
    let config = ctx.load_config()?;
    let ws = super::select_workspaces(&config, std::slice::from_ref(&args.workspace))?
        .into_iter()
        .next()
        .expect("one workspace was named and it exists");
    if args.undo {
        let was = undo(&config, ws).map_err(|e| Shown::from(&e))?;
        ctx.progress.say(&format!(
            "{}: back in service (it was retired at {}; its record stays at {})",
            ws.name,
            was.at,
            was.record.display()
        ));
        return Ok(Exit::Ok);
    }
    let opts = Options {
        execute: args.execute,
        out_dir: &args.output,
        wait: Duration::from_secs(args.wait),
        render: &|record| (output::json_text(record), output::cutover::markdown(record)),
    };
    let done = cutover(&config, ws, &opts, &ctx.progress).map_err(|e| Shown::from(&e))?;
    match args.format {
        TextOrJson::Text => print(&output::cutover::text(&ws.name, args.execute, &done)),
        TextOrJson::Json => {
            print(&output::json_text(&output::cutover::json(&ws.name, args.execute, &done)))
        }
    }
    Ok(if done.possible() { Exit::Ok } else { Exit::Attention })
}
