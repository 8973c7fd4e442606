//! `gfbridge sync`: mirror the named workspaces and print one line per branch.

use std::time::Duration;

use clap::Args;

use super::{print, with_workspaces, Context, TextOrJson, WorkspaceSelection};
use crate::config::pattern::any_match;
use crate::config::{Config, Workspace};
use crate::errors::Shown;
use crate::exit::Exit;
use crate::outcome::WorkspaceResult;
use crate::output;
use crate::refname::BranchName;
use crate::state::retired;
use crate::sync::{sync_workspace, SyncOptions};

/// The longest `--wait`: a day; longer waits are a mistake, and would overflow deadlines.
pub(super) const MAX_WAIT_SECS: u64 = 86_400;

/// Arguments of `gfbridge sync`.
#[derive(Debug, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    selection: WorkspaceSelection,
    /// Only this branch (can be repeated); it must still be a mirrored branch
    #[arg(short, long = "branch", value_name = "BRANCH")]
    branches: Vec<BranchName>,
    /// Decide and print without writing to either remote; exits as the real run would
    #[arg(long)]
    dry_run: bool,
    /// Forget remembered failed and pending pushes to Git Fusion and plan from what the remotes
    /// show (after checking in Perforce that nothing was lost)
    #[arg(long)]
    retry_failed: bool,
    /// Wait up to SECS (at most a day) for another run holding a workspace, instead of
    /// exiting 4 at once
    #[arg(long, value_name = "SECS", default_value_t = 0,
          value_parser = clap::value_parser!(u64).range(0..=MAX_WAIT_SECS))]
    wait: u64,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

/// Runs `sync` and returns the exit code (docs/output.md).
pub fn run(args: &SyncArgs, ctx: &Context) -> Result<Exit, Shown> {
    with_workspaces(ctx, &args.selection.workspaces, |config, selected| {
        run_on(args, ctx, config, selected)
    })
}

fn run_on(
    args: &SyncArgs,
    ctx: &Context,
    config: &Config,
    selected: Vec<&Workspace>,
) -> Result<Exit, Shown> {
    let mirrorable = |b: &BranchName| selected.iter().any(|w| any_match(&w.branches, b));
    if let Some(branch) = args.branches.iter().find(|b| !mirrorable(b)) {
        return Err(Shown::usage(format!(
            "branch `{branch}` matches no `branches` allowlist of the selected workspaces, so \
             it is never mirrored"
        )));
    }
    let opts = SyncOptions {
        dry_run: args.dry_run,
        branches: args.branches.clone(),
        wait: Duration::from_secs(args.wait),
        retry_failed: args.retry_failed,
        ..SyncOptions::default()
    };
    // A workspace a cutover retired is left alone; naming it is a mistake worth an exit 2.
    let mut active = Vec::new();
    for ws in selected {
        let retired = retired::of(&config.bridge.cache_dir, &ws.name)
            .map_err(|e| Shown::failure(format!("{}: {e}", ws.name)))?;
        match retired {
            Some(r) if !args.selection.workspaces.is_empty() => {
                return Err(Shown::usage(r.describe(&ws.name)));
            }
            Some(r) => {
                tracing::info!(workspace = %ws.name, "retired by cutover at {}: skipped", r.at);
                ctx.progress.say(&format!("{}: retired by cutover at {}: skipped", ws.name, r.at));
            }
            None => active.push(ws),
        }
    }
    let mut results: Vec<WorkspaceResult> = Vec::new();
    for ws in active {
        let result = sync_workspace(config, ws, &opts, &ctx.progress);
        // A signal stops the command: the next workspaces are not started.
        let stopped = result.error.as_ref().is_some_and(|e| e.exit.stopped());
        results.push(result);
        if stopped {
            break;
        }
    }
    // Each error is printed once, on stderr (the output below only counts it).
    for ws in &results {
        if let Some(error) = &ws.error {
            super::show(Some(&ws.name), error);
        }
    }
    match args.format {
        TextOrJson::Text => print(&output::sync::text(&results, args.dry_run)),
        TextOrJson::Json => print(&output::json_text(&output::sync::json(&results, args.dry_run))),
    }
    Ok(Exit::worst(results.iter().map(WorkspaceResult::exit)))
}
