//! Talking to Perforce: running `p4` (only the calls of docs/git-fusion.md, as argument vectors,
//! with `-p`/`-u` when configured), `facts` (gathering what Git Fusion knows about a repo) and
//! `confirm` (asking whether a push reached Perforce).
//!
//! Must not interpret what the files or keys mean: that is `fusion`.

pub mod confirm;
pub mod facts;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::config::Perforce;

/// The error returned when a `p4` call fails; it names the call, never a password.
#[derive(Debug, thiserror::Error)]
pub enum P4Error {
    /// The executable could not be run.
    #[error("cannot run `{program}` for `p4 {call}`: {source} (set [perforce] p4)")]
    Spawn { program: String, call: String, source: std::io::Error },
    /// p4 ran and reported an error.
    #[error("`p4 {call}` failed: {message}")]
    Failed { call: String, message: String },
}

/// A configured `p4` client.
#[derive(Clone, Debug)]
pub struct P4 {
    program: PathBuf,
    port: Option<String>,
    user: Option<String>,
}

impl P4 {
    /// Returns the client for the `[perforce]` settings.
    pub fn new(settings: &Perforce) -> P4 {
        P4 {
            program: settings.p4.clone(),
            port: settings.port.clone(),
            user: settings.user.clone(),
        }
    }

    /// Runs `p4 <args>` and returns stdout; `Ok(None)` when a `print` found no file.
    fn run(&self, args: &[&str]) -> Result<Option<String>, P4Error> {
        let call = args.join(" ");
        let mut cmd = Command::new(&self.program);
        if let Some(port) = &self.port {
            cmd.arg("-p").arg(port);
        }
        if let Some(user) = &self.user {
            cmd.arg("-u").arg(user);
        }
        tracing::debug!(call = %call, "p4");
        cmd.args(args).env("LC_ALL", "C").stdin(Stdio::null());
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        // Short reads, some of them settling a push: a first SIGINT or SIGTERM lets them end.
        let output = crate::interrupt::spawn(&mut cmd, crate::interrupt::Step::MustFinish)
            .and_then(crate::interrupt::Tracked::wait_with_output)
            .map_err(|e| P4Error::Spawn {
                program: self.program.display().to_string(),
                call: call.clone(),
                source: e,
            })?;
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        // docs/git-fusion.md: `no such file(s).` on either stream, whatever the status, is absence.
        if stdout.contains("no such file(s).") || stderr.contains("no such file(s).") {
            return Ok(None);
        }
        if !output.status.success() {
            let message = stderr.split_whitespace().collect::<Vec<_>>().join(" ");
            return Err(P4Error::Failed { call, message });
        }
        Ok(Some(stdout))
    }

    fn text(&self, args: &[&str]) -> Result<String, P4Error> {
        self.run(args).map(Option::unwrap_or_default)
    }

    /// Returns `caseHandling` and `clientAddress` from `p4 -ztag -Mj info`.
    pub fn info(&self) -> Result<Info, P4Error> {
        Ok(parse_info(&self.text(&["-ztag", "-Mj", "info"])?))
    }

    /// Returns the output of `p4 -ztag -Mj protects -u <user> -h <host>` (needs super).
    pub fn protects(&self, user: &str, host: &str) -> Result<String, P4Error> {
        self.text(&["-ztag", "-Mj", "protects", "-u", user, "-h", host])
    }

    /// Returns the output of `p4 -ztag -Mj users -a`.
    pub fn users(&self) -> Result<String, P4Error> {
        self.text(&["-ztag", "-Mj", "users", "-a"])
    }

    /// Returns the content of a `//.git-fusion/...` file, or `None` when it does not exist.
    pub fn print(&self, depot_path: &str) -> Result<Option<String>, P4Error> {
        self.run(&["print", "-q", depot_path])
    }

    /// Returns the keys matching `pattern` (`p4 -ztag -Mj keys -e`), as (key, value).
    pub fn keys(&self, pattern: &str) -> Result<Vec<(String, String)>, P4Error> {
        Ok(parse_keys(&self.text(&["-ztag", "-Mj", "keys", "-e", pattern])?))
    }
}

/// What `p4 info` says that gfbridge uses.
#[derive(Clone, Debug, Default)]
pub struct Info {
    /// `caseHandling`.
    pub case_handling: Option<String>,
    /// `clientAddress`: the address the server sees this connection come from.
    pub client_address: Option<String>,
}

/// Returns what gfbridge uses of `p4 -ztag -Mj info` output (one JSON object a line).
pub fn parse_info(text: &str) -> Info {
    let field = |k: &str| json_lines(text).find_map(|v| v.get(k)?.as_str().map(String::from));
    Info { case_handling: field("caseHandling"), client_address: field("clientAddress") }
}

/// Returns (key, value) pairs from the output of `p4 -ztag -Mj keys`; lines that are not a
/// JSON object with both string fields are skipped.
pub fn parse_keys(text: &str) -> Vec<(String, String)> {
    let pair = |v: serde_json::Value| {
        Some((v.get("key")?.as_str()?.to_string(), v.get("value")?.as_str()?.to_string()))
    };
    json_lines(text).filter_map(pair).collect()
}

fn json_lines(text: &str) -> impl Iterator<Item = serde_json::Value> + '_ {
    text.lines().filter_map(|l| serde_json::from_str(l).ok())
}
