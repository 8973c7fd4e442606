//! The command line (docs/output.md): argument definitions, logging set-up, and the one place that
//! prints errors (their exit codes are `errors.rs`'s table). Each subcommand has its own file
//! and returns `Result<Exit, Shown>`.

mod audit;
mod authors;
mod check;
mod completions;
mod cutover;
mod discover;
mod hook;
mod init;
mod report;
mod schema;
mod serve;
mod status;
mod sync;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::config::{Config, Workspace};
use crate::errors::Shown;
use crate::exit::Exit;
use crate::progress::Progress;

/// Keep the protected branches of a GitLab project and a Git Fusion repo in step.
///
/// Branches move only by fast-forward, in both directions. History rewrites, divergence and
/// deletions are reported, never propagated. Exit codes: 0 done, 1 operational failure,
/// 2 usage or configuration error, 3 attention needed, 4 busy, 130/143 stopped by
/// Ctrl-C/SIGTERM (a push under way is finished and recorded first; a second signal stops at
/// once).
#[derive(Debug, Parser)]
#[command(name = "gfbridge", version, max_term_width = 100)]
pub struct Cli {
    /// Config file [default: $GFBRIDGE_CONFIG, else ./gfbridge.toml]
    #[arg(long, global = true, value_name = "PATH", env = "GFBRIDGE_CONFIG", hide_env = true)]
    config: Option<PathBuf>,
    /// Log format on stderr
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Human)]
    log_format: LogFormat,
    /// Log more (can be repeated)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Print only errors; no progress
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Mirror the mirrored branches of the named workspaces (all if none)
    Sync(sync::SyncArgs),
    /// Verify the environment and Git Fusion's configuration (is change-pusher disabled?)
    Check(check::CheckArgs),
    /// Show which Perforce user Git Fusion will make the owner of each author's changelists
    Authors(authors::AuthorsArgs),
    /// Prove what Perforce recorded: each pushed commit's changelist owner against the prediction
    Audit(audit::AuditArgs),
    /// End a workspace's migration in one checked step: sync, verify, record, retire
    Cutover(cutover::CutoverArgs),
    /// Pair Git Fusion's repos with a GitLab group's projects and propose (or --write) workspaces
    Discover(discover::DiscoverArgs),
    /// The cutover-readiness report: checks, every branch's plan, authors; writes to no remote
    Report(report::ReportArgs),
    /// Run as a service: GitLab webhooks, Perforce triggers, a poll per workspace, /metrics
    Serve(serve::ServeArgs),
    /// The pre-receive hook that makes Git Fusion accept a push first, and its installer
    Hook(hook::HookArgs),
    /// Write an annotated example config
    Init(init::InitArgs),
    /// How the last runs went, from local state only (no network)
    Status(status::StatusArgs),
    /// Print a shell completion script
    Completions(completions::CompletionsArgs),
    /// Print the man pages (or write one per command to a directory)
    Man(completions::ManArgs),
    /// Print the JSON Schema of a JSON document gfbridge prints (sync, report, check, status, authors)
    Schema(schema::SchemaArgs),
}

/// `-w NAME`, shared by every command that works on workspaces.
#[derive(Debug, Args)]
struct WorkspaceSelection {
    /// Only this workspace (can be repeated; all when none)
    #[arg(short, long = "workspace", value_name = "NAME")]
    workspaces: Vec<String>,
}

/// `--format text|json`, for commands with those two outputs.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum TextOrJson {
    Text,
    Json,
}

/// What every subcommand gets: the global options, resolved.
pub struct Context {
    config_path: PathBuf,
    /// `-q`: print only errors.
    quiet: bool,
    /// Where long steps show their progress.
    progress: Progress,
}

impl Context {
    /// Returns the loaded config, or why it cannot be loaded.
    fn load_config(&self) -> Result<Config, Shown> {
        Config::load(&self.config_path).map_err(|e| Shown::from(&e))
    }
}

/// Runs gfbridge with the process's arguments and returns its exit code.
pub fn main() -> ExitCode {
    // libgit2's process-wide settings, before anything uses it.
    crate::cache::sandbox_libgit2();
    // Started by git as its askpass program: answer the prompt, nothing else.
    if let Some(code) = crate::credentials::answer_askpass(std::env::args().nth(1).as_deref()) {
        return ExitCode::from(code);
    }
    let cli = Cli::parse();
    init_logging(&cli);
    // Commands that push or wait for a run decide what a signal does (the service has its own).
    if matches!(cli.command, Command::Sync(_) | Command::Report(_) | Command::Authors(_)) {
        if let Err(e) = crate::interrupt::install() {
            tracing::warn!("cannot handle SIGINT and SIGTERM; a signal ends gfbridge at once: {e}");
        }
    }
    let ctx = Context {
        config_path: cli.config.clone().unwrap_or_else(|| PathBuf::from("gfbridge.toml")),
        quiet: cli.quiet,
        progress: progress(&cli),
    };
    let result = match cli.command {
        Command::Sync(args) => sync::run(&args, &ctx),
        Command::Check(args) => check::run(&args, &ctx),
        Command::Authors(args) => authors::run(&args, &ctx),
        Command::Report(args) => report::run(&args, &ctx),
        Command::Audit(args) => audit::run(&args, &ctx),
        Command::Cutover(args) => cutover::run(&args, &ctx),
        Command::Discover(args) => discover::run(&args, &ctx),
        Command::Serve(args) => serve::run(&args, &ctx),
        Command::Hook(args) => hook::run(&args, &ctx),
        Command::Init(args) => init::run(&args, &ctx),
        Command::Status(args) => status::run(&args, &ctx),
        Command::Completions(args) => completions::completions(&args),
        Command::Man(args) => completions::man(&args),
        Command::Schema(args) => schema::run(&args),
    };
    let exit = result.unwrap_or_else(|error| {
        show(None, &error);
        error.exit
    });
    ExitCode::from(exit.code())
}

/// Prints an error on stderr, once: `gfbridge: [workspace: ]message`, then its hint on a
/// line of its own so that scripts matching the message are not disturbed by advice.
fn show(workspace: Option<&str>, error: &Shown) {
    tracing::debug!(message = %error.message, exit = error.exit.code(), "error");
    match workspace {
        Some(name) => eprintln!("gfbridge: {name}: {}", error.message),
        None => eprintln!("gfbridge: {}", error.message),
    }
    if let Some(hint) = error.hint {
        eprintln!("hint: {hint}");
    }
}

/// Returns where progress goes: nothing with `-q` or for the service (its log says what it
/// does), a bar on a terminal that may take control sequences, else heartbeat log lines.
fn progress(cli: &Cli) -> Progress {
    if cli.quiet || matches!(cli.command, Command::Serve(_)) {
        return Progress::hidden();
    }
    Progress::new(colour(&std::io::stderr()), heartbeat())
}

/// Returns the heartbeat period: `GFBRIDGE_HEARTBEAT` (a duration such as "10s"), else 30 s.
fn heartbeat() -> Duration {
    let Ok(text) = std::env::var("GFBRIDGE_HEARTBEAT") else { return crate::progress::HEARTBEAT };
    match text.parse::<jiff::SignedDuration>().ok().and_then(|d| Duration::try_from(d).ok()) {
        Some(d) if !d.is_zero() => d.min(crate::progress::HEARTBEAT),
        _ => {
            eprintln!(
                "gfbridge: GFBRIDGE_HEARTBEAT=`{text}` is not a duration like \"10s\"; using 30s"
            );
            crate::progress::HEARTBEAT
        }
    }
}

fn init_logging(cli: &Cli) {
    // A service's log is its only output, so it tells what it does by default.
    let service = matches!(cli.command, Command::Serve(_));
    let level = match (cli.quiet, cli.verbose) {
        (true, _) => "error",
        (false, 0) if service => "info",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    // Heartbeats of long steps (off a terminal) show unless -q.
    let level = match cli.quiet {
        true => level.to_string(),
        false => format!("{level},{}=info", crate::progress::TARGET),
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("GFBRIDGE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(colour(&std::io::stderr()));
    match cli.log_format {
        LogFormat::Human => builder.with_target(false).init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// Returns the workspaces named with `-w` (all when none); an unknown name is refused
/// (exit 2) with the known ones listed.
pub(super) fn select_workspaces<'c>(
    config: &'c Config,
    names: &[String],
) -> Result<Vec<&'c Workspace>, Shown> {
    if let Some(unknown) = names.iter().find(|n| config.workspace(n).is_none()) {
        let known: Vec<&str> = config.workspaces.iter().map(|w| w.name.as_str()).collect();
        return Err(Shown::usage(format!(
            "no workspace `{unknown}` in {} (known: {})",
            config.path.display(),
            known.join(", ")
        )));
    }
    Ok(config.workspaces.iter().filter(|w| names.is_empty() || names.contains(&w.name)).collect())
}

/// Runs `command` on the loaded config and the workspaces named with `-w`, or returns
/// whatever stopped it first (an invalid config, an unknown workspace).
fn with_workspaces(
    ctx: &Context,
    names: &[String],
    command: impl FnOnce(&Config, Vec<&Workspace>) -> Result<Exit, Shown>,
) -> Result<Exit, Shown> {
    let config = ctx.load_config()?;
    let selected = select_workspaces(&config, names)?;
    command(&config, selected)
}

/// Returns whether colour and control sequences may go to `stream`: only a terminal, and
/// never with `NO_COLOR` set (docs/output.md).
fn colour(stream: &impl IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Writes `text` to stdout; a closed pipe (`| head`) is not an error worth a message.
fn print(text: &str) {
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}
