//! The one way gfbridge runs `git`: an argument vector, a controlled environment, captured
//! output, and errors that name the command without its secrets.
//!
//! Must not decide anything about branches; it only runs git and reports what git said.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::url::redact;

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
    #[error("cannot run `{program}`: {reason} (set [bridge] git to a git 2.30+ executable)")]
    Spawn { program: String, reason: String },
    /// git ran and failed.
    #[error("`git {command}` failed (exit {code}): {stderr}")]
    Failed { command: String, code: String, stderr: String },
}

/// Runs git with the bridge's fixed environment.
#[derive(Clone)]
pub struct Git {
    program: PathBuf,
    in_hook: bool,
}

impl fmt::Debug for Git {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Git({}, env=not shown)", self.program.display())
    }
}

impl Git {
    /// Returns a runner for the git executable `program`.
    pub fn new(program: impl Into<PathBuf>) -> Git {
        Git { program: program.into(), in_hook: false }
    }

    /// Returns a runner for inside a git hook of the repository a user pushes to: git's own
    /// configuration applies (the server's ssh settings and credential helpers reach the
    /// upstream), and the repository and quarantine variables git set are kept, so the pushed
    /// objects, not yet in the object store, can be sent on. `GIT_QUARANTINE_PATH` alone is
    /// dropped: it only forbids ref updates, and a push to a URL makes none.
    pub fn in_hook(program: impl Into<PathBuf>) -> Git {
        Git { program: program.into(), in_hook: true }
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
            // (hooks paths, url rewrites, fetch.prune…) may leak in.
            cmd.env("GIT_CONFIG_NOSYSTEM", "1").env("GIT_CONFIG_GLOBAL", "/dev/null");
        }
        cmd.env("GIT_TERMINAL_PROMPT", "0").env("LC_ALL", "C").env("LANG", "C");
        if let Some(dir) = git_dir {
            cmd.arg("--git-dir").arg(dir);
        }
        cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd
    }

    /// Runs `git <args>` and returns its output, whatever the exit status.
    pub fn output(&self, git_dir: Option<&Path>, args: &[OsString]) -> Result<Output, GitError> {
        let shown = describe(args);
        tracing::debug!(command = %shown, "git");
        self.command(git_dir, args).output().map_err(|e| GitError::Spawn {
            program: self.program.display().to_string(),
            reason: e.to_string(),
        })
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
