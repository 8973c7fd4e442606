//! `gfbridge hook`: the pre-receive hook that makes Git Fusion accept a push first (docs/hook.md),
//! and its installer.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};

use super::Context;
use crate::errors::Shown;
use crate::exit::Exit;
use crate::hook::install::{self, Install};
use crate::hook::{pre_receive, HookResult};

/// Arguments of `gfbridge hook`.
#[derive(Debug, Args)]
pub struct HookArgs {
    #[command(subcommand)]
    command: HookCommand,
}

#[derive(Debug, Subcommand)]
enum HookCommand {
    /// Run as a repository's pre-receive hook (git calls this; reads `<old> <new> <ref>` lines
    /// on stdin): pushes to mirrored branches reach Git Fusion first, in one atomic push, or
    /// are rejected
    PreReceive(PreReceiveArgs),
    /// Install the pre-receive hook into a bare repository, with this config and workspace
    /// baked in
    Install(InstallArgs),
}

#[derive(Debug, Args)]
struct PreReceiveArgs {
    /// The workspace whose Git Fusion remote is the upstream
    #[arg(short, long = "workspace", value_name = "NAME")]
    workspace: String,
}

#[derive(Debug, Args)]
struct InstallArgs {
    /// The workspace whose Git Fusion remote is the upstream
    #[arg(short, long = "workspace", value_name = "NAME")]
    workspace: String,
    /// The bare repository users push to
    #[arg(long, value_name = "PATH")]
    repo: PathBuf,
    /// Write the hook into this directory instead of the repository's own hooks directory
    /// (for GitLab server hooks: `<repo>.git/custom_hooks`)
    #[arg(long, value_name = "DIR")]
    hooks_dir: Option<PathBuf>,
    /// Replace an existing pre-receive hook that gfbridge did not write
    #[arg(long)]
    force: bool,
}

/// Runs `gfbridge hook …` and returns the exit code.
pub fn run(args: &HookArgs, ctx: &Context) -> Result<Exit, Shown> {
    match &args.command {
        HookCommand::PreReceive(args) => Ok(pre_receive_hook(args, ctx)),
        HookCommand::Install(args) => install_hook(args, ctx),
    }
}

/// Any failure rejects the push: the hook fails closed, with the reason for the pusher.
fn pre_receive_hook(args: &PreReceiveArgs, ctx: &Context) -> Exit {
    let result = decide_push(args, ctx).unwrap_or_else(|why| HookResult::failed(&why));
    let by_gitlab = std::env::var_os("GL_ID").is_some_and(|id| !id.is_empty());
    for line in result.lines(by_gitlab) {
        eprintln!("{line}");
    }
    if result.accepted {
        Exit::Ok
    } else {
        Exit::Failure
    }
}

/// Returns the hook's decision, or why it could not decide.
fn decide_push(args: &PreReceiveArgs, ctx: &Context) -> Result<HookResult, String> {
    let config = ctx
        .load_config()
        .map_err(|e| format!("the bridge's config cannot be read: {}", e.message))?;
    let ws = config.workspace(&args.workspace).ok_or_else(|| {
        format!(
            "no workspace `{}` in {}; reinstall the hook with the right -w",
            args.workspace,
            config.path.display()
        )
    })?;
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| format!("cannot read the pushed refs from git: {e}"))?;
    pre_receive(&config, ws, &input).map_err(|e| e.to_string())
}

fn install_hook(args: &InstallArgs, ctx: &Context) -> Result<Exit, Shown> {
    let config = ctx.load_config()?;
    super::select_workspaces(&config, std::slice::from_ref(&args.workspace))?;
    let what = install_plan(args, &config.path).map_err(Shown::usage)?;
    let path = install::install(&what).map_err(|e| Shown::from(&e))?;
    if ctx.quiet {
        tracing::debug!(path = %path.display(), "installed");
    } else {
        eprintln!(
            "gfbridge: installed {}; pushes to workspace {}'s mirrored branches now reach Git Fusion first",
            path.display(),
            args.workspace
        );
    }
    Ok(Exit::Ok)
}

/// Returns what to install, with every path absolute: git runs hooks from the repository's
/// directory, not from where `install` was run.
fn install_plan(args: &InstallArgs, config: &Path) -> Result<Install, String> {
    let absolute = |path: &Path, what: &str| {
        std::fs::canonicalize(path)
            .map_err(|e| format!("cannot resolve {what} {}: {e}", path.display()))
    };
    let repo = absolute(&args.repo, "the repository")?;
    let own = install::hooks_dir(&repo).map_err(|e| e.to_string())?;
    let hooks_dir = args.hooks_dir.clone().unwrap_or(own);
    Ok(Install {
        hooks_dir,
        executable: std::env::current_exe()
            .map_err(|e| format!("cannot find gfbridge's own executable: {e}"))?,
        config: absolute(config, "the config")?,
        workspace: args.workspace.clone(),
        force: args.force,
    })
}
