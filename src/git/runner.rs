//! The one way gfbridge runs `git`: an argument vector, a controlled environment, captured
//! output, and errors that name the command without its secrets.
//!
//! Must not decide anything about branches; it only runs git and reports what git said.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use super::url::{redact, RemoteUrl};
use crate::credentials::Credential;
use crate::interrupt::{self, Step, Tracked};

/// Told the process id of each push git starts (see [`Git::pushing`]).
pub type OnSpawn = Arc<dyn Fn(u32) + Send + Sync>;

/// Variables that would point git at another repository or object store, or that git sets
/// inside hooks. Inherited, they would make the bridge's git calls act on the wrong repo.
const REPO_VARIABLES: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_QUARANTINE_PATH",
    "GIT_NAMESPACE",
    "GIT_COMMON_DIR",
    "GIT_PREFIX",
    "GIT_CEILING_DIRECTORIES",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
    "GIT_PUSH_OPTION_COUNT",
    "GIT_REFLOG_ACTION",
    "GIT_TRACE",
    "GIT_TRACE_PACKET",
    "GIT_TRACE_CURL",
    "GIT_EXEC_PATH",
    "GIT_PROTOCOL",
];

/// The error returned when a git command cannot be started or exits non-zero.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The executable could not be run at all.
    #[error("cannot run `{program}`: {source} (set [bridge] git to a git 2.30+ executable)")]
    Spawn { program: String, source: std::io::Error },
    /// git ran and failed.
    #[error("`git {command}` failed (exit {code}): {stderr}")]
    Failed { command: String, code: String, stderr: String },
}

impl GitError {
    /// Returns whether git failed because a ref it was asked to fetch does not exist on the
    /// remote (`couldn't find remote ref`): a branch that vanished between listing and fetching.
    pub fn missing_remote_ref(&self) -> bool {
        matches!(self, GitError::Failed { stderr, .. } if stderr.contains("couldn't find remote ref"))
    }
}

/// Runs git with the bridge's fixed environment.
#[derive(Clone)]
pub struct Git {
    program: PathBuf,
    in_hook: bool,
    /// The credential of the remote this runner talks to: git asks gfbridge for it.
    askpass: Option<Credential>,
    /// Whether a first SIGINT/SIGTERM lets the command finish (pushes) or ends it (reads).
    step: Step,
    /// Told each child's process id as it starts.
    on_spawn: Option<OnSpawn>,
}

impl fmt::Debug for Git {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Git({}, env=not shown)", self.program.display())
    }
}

impl Git {
    /// Returns a runner for the git executable `program`.
    pub fn new(program: impl Into<PathBuf>) -> Git {
        Git {
            program: program.into(),
            in_hook: false,
            askpass: None,
            step: Step::Interruptible,
            on_spawn: None,
        }
    }

    /// Returns a runner whose commands a first SIGINT or SIGTERM lets finish: they settle
    /// a write already made (confirming a push).
    pub fn finishing(&self) -> Git {
        Git { step: Step::MustFinish, ..self.clone() }
    }

    /// Returns a runner for writes to a remote: a first SIGINT or SIGTERM lets them finish,
    /// and `on_spawn` learns each process id as it starts (an interrupted run's next run
    /// waits for those processes rather than race them).
    pub fn pushing(&self, on_spawn: OnSpawn) -> Git {
        Git { on_spawn: Some(on_spawn), ..self.finishing() }
    }

    /// Returns a runner for commands that talk to `remote`: with a `[credentials.*]` table,
    /// git asks gfbridge itself (as `GIT_ASKPASS`) for the user name and the secret, so the
    /// secret is on no command line, in no URL and in no variable gfbridge sets (docs/configuration.md).
    pub fn for_remote(&self, remote: &RemoteUrl) -> Git {
        Git { askpass: remote.credential().cloned(), ..self.clone() }
    }

    /// Returns a runner for inside a git hook of the repository a user pushes to: git's own
    /// configuration applies (the server's ssh settings and credential helpers reach the
    /// upstream), and the repository and quarantine variables git set are kept, so the pushed
    /// objects, not yet in the object store, can be sent on. `GIT_QUARANTINE_PATH` alone is
    /// dropped: it only forbids ref updates, and a push to a URL makes none.
    pub fn in_hook(program: impl Into<PathBuf>) -> Git {
        Git { in_hook: true, ..Git::new(program) }
    }

    /// Returns a command for `git --git-dir=<git_dir> <args>` with a controlled environment.
    pub fn command(&self, git_dir: Option<&Path>, args: &[OsString]) -> Command {
        let mut cmd = Command::new(&self.program);
        if self.in_hook {
            cmd.env_remove("GIT_QUARANTINE_PATH");
        } else {
            for name in REPO_VARIABLES {
                cmd.env_remove(name);
            }
            // The cache repo must behave the same on every machine: no user or system config
            // (hooks paths, url rewrites, fetch.prune…) may leak in. The one exception is how
            // the account that runs gfbridge authenticates: its `credential.*` settings are
            // handed on, so git's own credential helpers keep working (docs/configuration.md).
            cmd.env("GIT_CONFIG_NOSYSTEM", "1").env("GIT_CONFIG_GLOBAL", "/dev/null");
            if self.askpass.is_none() {
                let helpers = user_credential_config();
                cmd.env("GIT_CONFIG_COUNT", helpers.len().to_string());
                for (i, (key, value)) in helpers.iter().enumerate() {
                    cmd.env(format!("GIT_CONFIG_KEY_{i}"), key)
                        .env(format!("GIT_CONFIG_VALUE_{i}"), value);
                }
            }
        }
        cmd.env("GIT_TERMINAL_PROMPT", "0").env("LC_ALL", "C").env("LANG", "C");
        if let Some(credential) = &self.askpass {
            match std::env::current_exe() {
                Ok(exe) => {
                    cmd.env("GIT_ASKPASS", exe).envs(credential.askpass_env());
                }
                Err(e) => {
                    tracing::warn!("cannot find gfbridge's own executable for git's askpass: {e}")
                }
            }
        }
        if let Some(dir) = git_dir {
            cmd.arg("--git-dir").arg(dir);
        }
        cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd
    }

    /// Starts `cmd` (made by [`Git::command`]) in a process group of its own, registered
    /// for interruption, and tells `on_spawn` its process id.
    pub fn spawn(&self, cmd: &mut Command) -> Result<Tracked, GitError> {
        let child = interrupt::spawn(cmd, self.step).map_err(|e| self.spawn_error(e))?;
        if let Some(on_spawn) = &self.on_spawn {
            on_spawn(child.id());
        }
        Ok(child)
    }

    fn spawn_error(&self, e: std::io::Error) -> GitError {
        GitError::Spawn { program: self.program.display().to_string(), source: e }
    }

    /// Runs `git <args>` and returns its output, whatever the exit status.
    pub fn output(&self, git_dir: Option<&Path>, args: &[OsString]) -> Result<Output, GitError> {
        let shown = describe(args);
        tracing::debug!(command = %shown, "git");
        let child = self.spawn(&mut self.command(git_dir, args))?;
        child.wait_with_output().map_err(|e| self.spawn_error(e))
    }

    /// Runs `git <args>` (which asks for `--progress`) and hands each progress fragment git
    /// writes to stderr (`Receiving objects:  45% (450/1000)`) to `on_progress` as it comes;
    /// returns an error when git exits non-zero, with the lines that are not progress.
    pub fn run_with_progress(
        &self,
        git_dir: Option<&Path>,
        args: &[OsString],
        on_progress: &mut dyn FnMut(&str),
    ) -> Result<(), GitError> {
        use std::io::Read;
        tracing::debug!(command = %describe(args), "git");
        let mut child = self.spawn(self.command(git_dir, args).stdout(Stdio::null()))?;
        let mut stderr = child.child().stderr.take().expect("stderr is piped");
        let mut kept = Vec::new();
        let mut pending = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = match stderr.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            for &byte in &chunk[..n] {
                if byte != b'\r' && byte != b'\n' {
                    pending.push(byte);
                    continue;
                }
                let fragment = String::from_utf8_lossy(&pending).into_owned();
                if is_progress(&fragment) {
                    on_progress(&fragment);
                } else if byte == b'\n' && !fragment.trim().is_empty() {
                    kept.extend_from_slice(fragment.as_bytes());
                    kept.push(b'\n');
                }
                pending.clear();
            }
        }
        kept.extend_from_slice(&pending);
        let status = child.child().wait().map_err(|e| self.spawn_error(e))?;
        if status.success() {
            return Ok(());
        }
        let output = Output { status, stdout: Vec::new(), stderr: kept };
        Err(failure(args, &output))
    }

    /// Runs `git <args>` and returns its stdout, or an error when it exits non-zero.
    pub fn run(&self, git_dir: Option<&Path>, args: &[OsString]) -> Result<String, GitError> {
        let output = self.output(git_dir, args)?;
        if !output.status.success() {
            return Err(failure(args, &output));
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }
}

/// Returns whether a stderr fragment is one of git's progress meters (`<phase>: NN% (a/b)`
/// or `<phase>: a`), as opposed to a message that must be kept for errors.
fn is_progress(fragment: &str) -> bool {
    let text = fragment.strip_prefix("remote: ").unwrap_or(fragment);
    let Some((_, rest)) = text.split_once(": ") else { return false };
    let rest = rest.trim();
    rest.starts_with(|c: char| c.is_ascii_digit())
        && rest.chars().all(|c| c.is_ascii_digit() || " %(/),.KMGiBbs|done".contains(c))
}

/// Returns the counts of a git progress fragment: `Receiving objects:  45% (450/1000)` gives
/// the phase, 450 and 1000.
pub fn progress_counts(fragment: &str) -> Option<(&str, u64, Option<u64>)> {
    let text = fragment.strip_prefix("remote: ").unwrap_or(fragment);
    let (phase, rest) = text.split_once(": ")?;
    let rest = rest.trim();
    if let Some(open) = rest.find('(') {
        let inner = rest[open + 1..].split(')').next()?;
        let (done, total) = inner.split_once('/')?;
        return Some((phase, done.trim().parse().ok()?, Some(total.trim().parse().ok()?)));
    }
    let done = rest.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()?;
    Some((phase, done, None))
}

/// Returns the error for a git command that exited non-zero.
pub fn failure(args: &[OsString], output: &Output) -> GitError {
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stderr: Vec<&str> = stderr.lines().map(str::trim_end).filter(|l| !l.is_empty()).collect();
    GitError::Failed {
        command: describe(args),
        code: output.status.code().map_or_else(|| "by signal".into(), |c| c.to_string()),
        stderr: redact(&stderr.join(" / ")),
    }
}

/// Returns the command line as people should see it: the verb and its arguments, with the
/// long lists of refspecs and leases shortened and credentials removed.
fn describe(args: &[OsString]) -> String {
    let words: Vec<String> = args.iter().map(|a| a.to_string_lossy().into_owned()).collect();
    let shown =
        if words.len() > 6 { format!("{} …", words[..6].join(" ")) } else { words.join(" ") };
    redact(&shown)
}

/// Builds an argument vector from anything string-like.
#[macro_export]
macro_rules! git_args {
    ($($arg:expr),* $(,)?) => {
        vec![$(::std::ffi::OsString::from($arg)),*]
    };
}

/// Returns the `credential.*` settings of the account running gfbridge (its global and system
/// git config, or the file `GIT_CONFIG_GLOBAL` names), read once, in process, with libgit2:
/// helper names and URL patterns, never secrets. Empty when there are none or they cannot be
/// read.
fn user_credential_config() -> &'static [(String, String)] {
    static SETTINGS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    SETTINGS.get_or_init(|| {
        // The files git itself would read, named here: libgit2's own search paths are
        // emptied for the cache (`cache::sandbox_libgit2`).
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let xdg = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".config")));
        let mut files: Vec<PathBuf> = Vec::new();
        if std::env::var_os("GIT_CONFIG_NOSYSTEM").is_none() {
            files.push(PathBuf::from("/etc/gitconfig"));
        }
        match std::env::var_os("GIT_CONFIG_GLOBAL") {
            Some(path) => files.push(PathBuf::from(path)),
            None => {
                files.extend(xdg.map(|x| x.join("git/config")));
                files.extend(home.map(|h| h.join(".gitconfig")));
            }
        }
        let mut settings = Vec::new();
        for file in files.iter().filter(|f| f.is_file()) {
            let Ok(config) = git2::Config::open(file) else { continue };
            let Ok(mut entries) = config.entries(Some("^credential\\.")) else { continue };
            while let Some(Ok(entry)) = entries.next() {
                if let (Ok(name), Ok(value)) = (entry.name(), entry.value()) {
                    settings.push((name.to_string(), value.to_string()));
                }
            }
        }
        let keys: Vec<&str> = settings.iter().map(|(k, _)| k.as_str()).collect();
        tracing::debug!(?keys, "the account's credential settings handed to git");
        settings
    })
}
