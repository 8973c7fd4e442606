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

    /// Returns `p4` with `-p`/`-u` as configured, then the global options `global`.
    fn command(&self, global: &[&str]) -> Command {
        let mut cmd = Command::new(&self.program);
        if let Some(port) = &self.port {
            cmd.arg("-p").arg(port);
        }
        if let Some(user) = &self.user {
            cmd.arg("-u").arg(user);
        }
        cmd.args(global).env("LC_ALL", "C");
        cmd
    }

    /// Runs `p4 <args>` and returns stdout; `Ok(None)` when a `print` found no file.
    fn run(&self, args: &[&str]) -> Result<Option<String>, P4Error> {
        let call = args.join(" ");
        let mut cmd = self.command(&[]);
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

    /// Runs `p4 -x - <args>` with `lines` as further arguments, one a line on stdin, as p4
    /// reads an argument file: one call however many paths or changes. Returns the JSON
    /// records of stdout; an argument that names nothing (`no such file(s).`, `Change N
    /// unknown.`) is left out, any other error fails the call.
    fn batch(&self, args: &[&str], lines: &[String]) -> Result<Vec<serde_json::Value>, P4Error> {
        let call = format!("{} <{} argument(s)>", args.join(" "), lines.len());
        let mut cmd = self.command(&["-x", "-"]);
        tracing::debug!(call = %call, "p4");
        cmd.args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let spawn_error = |source| P4Error::Spawn {
            program: self.program.display().to_string(),
            call: call.clone(),
            source,
        };
        let mut child = crate::interrupt::spawn(&mut cmd, crate::interrupt::Step::Interruptible)
            .map_err(spawn_error)?;
        let mut stdin = child.child().stdin.take().expect("stdin is piped");
        let mut input = String::new();
        for line in lines {
            input.push_str(line);
            input.push('\n');
        }
        // A writer of its own: p4 may fill stdout before it has read all its arguments.
        let writer =
            std::thread::spawn(move || std::io::Write::write_all(&mut stdin, input.as_bytes()));
        let output = child.wait_with_output().map_err(spawn_error)?;
        let _ = writer.join();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let absent =
            |text: &str| text.contains("no such file(s).") || text.trim_end().ends_with("unknown.");
        let mut records = Vec::new();
        // What p4 said went wrong, and whether it said an argument names nothing.
        let (mut failures, mut absences) = (Vec::new(), 0);
        let errors = json_lines(&stdout)
            .filter_map(|record| match record.get("severity") {
                None => {
                    records.push(record);
                    None
                }
                Some(_) => Some(record["data"].as_str().unwrap_or_default().trim().to_string()),
            })
            .collect::<Vec<_>>();
        let said = errors.into_iter().chain(stderr.lines().map(|l| l.trim().to_string()));
        for line in said.filter(|l| !l.is_empty()) {
            if absent(&line) {
                absences += 1;
            } else {
                failures.push(line);
            }
        }
        // A failed exit is explained only by arguments that name nothing.
        if !output.status.success() && failures.is_empty() && absences == 0 {
            failures.push(format!("exited with {}", output.status));
        }
        if !failures.is_empty() {
            let message = failures.join(" ").split_whitespace().collect::<Vec<_>>().join(" ");
            return Err(P4Error::Failed { call, message });
        }
        Ok(records)
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

    /// Returns the depot files the `patterns` name (`p4 -ztag -Mj files`, `*` wildcards), in
    /// one call: each file's `depotFile`. Patterns that name nothing are left out.
    pub fn files(&self, patterns: &[String]) -> Result<Vec<String>, P4Error> {
        if patterns.is_empty() {
            return Ok(Vec::new());
        }
        let records = self.batch(&["-ztag", "-Mj", "files"], patterns)?;
        Ok(records.iter().filter_map(|r| r.get("depotFile")?.as_str().map(String::from)).collect())
    }

    /// Returns the owner (`user`) of each of `changes` that exists (`p4 -ztag -Mj describe -s`),
    /// in one call.
    pub fn owners(&self, changes: &[u64]) -> Result<Vec<(u64, String)>, P4Error> {
        if changes.is_empty() {
            return Ok(Vec::new());
        }
        let lines: Vec<String> = changes.iter().map(u64::to_string).collect();
        let records = self.batch(&["-ztag", "-Mj", "describe", "-s"], &lines)?;
        Ok(records
            .iter()
            .filter_map(|r| {
                let change = r.get("change")?.as_str()?.parse().ok()?;
                Some((change, r.get("user")?.as_str()?.to_string()))
            })
            .collect())
    }

    /// Returns the names of Git Fusion's repos (`p4 -ztag -Mj dirs //.git-fusion/repos/*`),
    /// decoded.
    pub fn fusion_repos(&self) -> Result<Vec<String>, P4Error> {
        let text = self.text(&["-ztag", "-Mj", "dirs", "//.git-fusion/repos/*"])?;
        let names = json_lines(&text).filter_map(|r| {
            let dir = r.get("dir")?.as_str()?.strip_prefix("//.git-fusion/repos/")?.to_string();
            Some(crate::fusion::p4gf_config::decode_repo_name(&dir))
        });
        Ok(names.collect())
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
