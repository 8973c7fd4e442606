//! A world for end-to-end tests: a GitLab remote (plain bare repo), a Git Fusion remote (the
//! p4-fixtures stand-in), a config, and the real gfbridge binary run in a hermetic
//! environment. Commits get fixed dates, so ids are stable within a test.

use std::cell::Cell;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

/// Which remote a helper acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Gitlab,
    Fusion,
}
pub use Side::{Fusion, Gitlab};

pub struct World {
    pub tmp: tempfile::TempDir,
    clock: Cell<i64>,
    author: std::cell::RefCell<(String, String)>,
}

/// A tree entry for `World::commit_files`.
pub enum Entry {
    File(&'static str),
    Gitlink(String),
    /// The path is removed.
    Removed,
}

/// What one run of gfbridge printed and returned.
#[derive(Debug)]
#[must_use]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// The JSON document the run printed, when it was asked for one (`sync --format json`):
    /// `json()` holds it to docs/schema/<document>.schema.json.
    pub document: Option<&'static str>,
}

impl Run {
    /// Returns stdout as JSON, checked against its document's published schema.
    pub fn json(&self) -> Value {
        let value: Value = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout));
        if let Some(document) = self.document {
            crate::schema::assert_valid(document, &value);
        }
        value
    }

    /// Returns the check called `id` of the first workspace, from `check --format json`.
    pub fn check(&self, id: &str) -> Value {
        let json = self.json();
        let checks = json["workspaces"][0]["checks"].as_array().expect("checks").clone();
        checks
            .into_iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no check {id}: {}", self.stdout))
    }

    /// Returns the branch object called `name` from `--format json` output.
    pub fn branch(&self, name: &str) -> Value {
        let json = self.json();
        let branches = json["workspaces"][0]["branches"].as_array().expect("branches").clone();
        branches
            .into_iter()
            .find(|b| b["name"] == name)
            .unwrap_or_else(|| panic!("no branch {name}: {}", self.stdout))
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[exit {}]\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

pub fn real_git() -> PathBuf {
    static GIT: OnceLock<PathBuf> = OnceLock::new();
    GIT.get_or_init(|| {
        let out = Command::new("sh").args(["-c", "command -v git"]).output().expect("sh runs");
        PathBuf::from(String::from_utf8(out.stdout).expect("utf8").trim())
    })
    .clone()
}

/// Returns the `PATH` everything the tests start runs with: the directory of the interpreter
/// `python3` really is, first. Where `python3` is a version manager's shim (pyenv's is a shell
/// script costing ~0.2 s a start), each of the Git Fusion stand-in's many Python start-ups
/// would pay it; elsewhere this changes nothing.
fn test_path() -> &'static OsString {
    static PATH: OnceLock<OsString> = OnceLock::new();
    PATH.get_or_init(|| {
        let inherited = std::env::var_os("PATH").unwrap_or_default();
        let real = Command::new("python3")
            .args([
                "-c",
                "import os, sys; print(os.path.dirname(os.path.realpath(sys.executable)))",
            ])
            .output()
            .ok()
            .filter(|out| out.status.success())
            .and_then(|out| String::from_utf8(out.stdout).ok())
            .map(|dir| PathBuf::from(dir.trim()))
            .filter(|dir| dir.join("python3").exists());
        let mut dirs: Vec<PathBuf> = real.into_iter().collect();
        dirs.extend(std::env::split_paths(&inherited));
        std::env::join_paths(dirs).unwrap_or(inherited)
    })
}

/// Returns a `python3` command that starts the interpreter itself, not a shim (`test_path`).
pub fn python3() -> Command {
    let mut cmd = Command::new("python3");
    cmd.env("PATH", test_path());
    cmd
}

/// Returns a `git` command isolated from the developer's configuration.
pub fn git() -> Command {
    let mut cmd = Command::new(real_git());
    hermetic(&mut cmd);
    cmd
}

fn hermetic(cmd: &mut Command) {
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if key.starts_with("GIT_") || key.starts_with("GFBRIDGE_") {
            cmd.env_remove(key);
        }
    }
    cmd.env("PATH", test_path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("LC_ALL", "C")
        .env("TZ", "UTC");
}

pub fn run_ok(cmd: &mut Command) -> String {
    let out = cmd.output().expect("command runs");
    assert!(out.status.success(), "{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf8")
}

/// Runs `git --git-dir <git_dir> <args>` with `input` on its stdin, asserts it succeeded, and
/// returns what it printed.
pub fn git_with_input(git_dir: &Path, args: &[&str], input: &[u8]) -> String {
    let mut child = git()
        .arg("--git-dir")
        .arg(git_dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("git starts");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), input).expect("input");
    let out = child.wait_with_output().expect("git ends");
    assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf8")
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub const DEFAULT_CONFIG: &str = r#"
[[workspace]]
name = "widgets"
gitlab_remote = "gitlab.git"
fusion_remote = "fusion.git"
fusion_repo = "acme/widgets"
branches = ["main", "release/*"]
protected_from = "config"
"#;

impl World {
    /// Returns a world with empty remotes and the default config.
    pub fn new() -> World {
        let world = World {
            tmp: tempfile::tempdir().expect("tempdir"),
            clock: Cell::new(0),
            author: std::cell::RefCell::new(("Jane Doe".into(), "jane@example.com".into())),
        };
        run_ok(git().args(["init", "--quiet", "--bare", "-b", "main"]).arg(world.remote(Gitlab)));
        let make = repo_root().join("p4-fixtures/make-fusion-repo");
        let mut cmd = Command::new(make);
        hermetic(&mut cmd);
        run_ok(cmd.arg(world.remote(Fusion)));
        world.write_config(&world.default_config());
        world
    }

    /// Returns the default config: the workspace, and `[perforce]` pointing the fake p4 at
    /// the Git Fusion stand-in's directory.
    pub fn default_config(&self) -> String {
        format!("{}\n{DEFAULT_CONFIG}", self.perforce_section())
    }

    pub fn perforce_section(&self) -> String {
        format!(
            "[perforce]\np4 = \"{}\"\nport = \"{}\"\n",
            repo_root().join("p4-fixtures/p4").display(),
            self.remote(Fusion).join("fusion").display()
        )
    }

    /// Writes a file of the Git Fusion stand-in (`<fusion.git>/fusion/<rel>`).
    pub fn fusion_file(&self, rel: &str, text: &str) {
        let path = self.remote(Fusion).join("fusion").join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
        std::fs::write(path, text).expect("fusion file");
    }

    /// Writes Git Fusion's global `p4gf_config`.
    pub fn global_config(&self, text: &str) {
        self.fusion_file("depot/.git-fusion/p4gf_config", text);
    }

    /// Writes the per-repo `p4gf_config` of acme/widgets.
    pub fn repo_config(&self, text: &str) {
        self.fusion_file("depot/.git-fusion/repos/acme_0xS_widgets/p4gf_config", text);
    }

    /// Removes a Perforce user from the stand-in's `p4 users`.
    pub fn remove_p4_user(&self, user: &str) {
        let path = self.remote(Fusion).join("fusion/users.jsonl");
        let text = std::fs::read_to_string(&path).expect("users");
        let kept: Vec<&str> =
            text.lines().filter(|l| !l.contains(&format!("\"User\":\"{user}\""))).collect();
        std::fs::write(path, kept.join("\n") + "\n").expect("users");
    }

    pub fn set_author(&self, name: &str, email: &str) {
        *self.author.borrow_mut() = (name.into(), email.into());
    }

    /// Commits `files` on top of `branch` on `side` (creating it if absent) with the current
    /// author, moves the branch, and returns the commit. Paths may be nested.
    pub fn commit_files(
        &self,
        side: Side,
        branch: &str,
        files: &[(&str, Entry)],
        message: &str,
    ) -> String {
        let parents: Vec<String> = self.tip(side, branch).into_iter().collect();
        let oid = self.make_commit_with(side, &parents, files, message);
        self.set_branch(side, branch, &oid);
        oid
    }

    /// Makes a commit with `parents` (the first one's tree plus `files`) on `side`.
    pub fn make_commit_with(
        &self,
        side: Side,
        parents: &[String],
        files: &[(&str, Entry)],
        message: &str,
    ) -> String {
        let repo = self.repo(side);
        self.clock.set(self.clock.get() + 60);
        let (name, email) = self.author.borrow().clone();
        let time = git2::Time::new(1_700_000_000 + self.clock.get(), 0);
        let sig = git2::Signature::new(&name, &email, &time).expect("signature");
        let parents: Vec<git2::Commit> = parents
            .iter()
            .map(|p| repo.find_commit(git2::Oid::from_str(p).expect("oid")).expect("parent"))
            .collect();
        let base = match parents.first() {
            Some(p) => p.tree().expect("tree"),
            None => repo
                .find_tree(repo.treebuilder(None).expect("tb").write().expect("empty"))
                .expect("tree"),
        };
        let mut update = git2::build::TreeUpdateBuilder::new();
        for (path, entry) in files {
            match entry {
                Entry::File(content) => {
                    let blob = repo.blob(content.as_bytes()).expect("blob");
                    update.upsert(*path, blob, git2::FileMode::Blob);
                }
                Entry::Gitlink(target) => {
                    update.upsert(
                        *path,
                        git2::Oid::from_str(target).expect("oid"),
                        git2::FileMode::Commit,
                    );
                }
                Entry::Removed => {
                    update.remove(*path);
                }
            }
        }
        let tree = repo
            .find_tree(update.create_updated(&repo, &base).expect("update tree"))
            .expect("tree");
        let refs: Vec<&git2::Commit> = parents.iter().collect();
        repo.commit(None, &sig, &sig, &format!("{message}\n"), &tree, &refs)
            .expect("commit")
            .to_string()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    pub fn remote(&self, side: Side) -> PathBuf {
        self.path(match side {
            Gitlab => "gitlab.git",
            Fusion => "fusion.git",
        })
    }

    pub fn write_config(&self, text: &str) {
        std::fs::write(self.path("gfbridge.toml"), text).expect("write config");
    }

    fn repo(&self, side: Side) -> git2::Repository {
        git2::Repository::open_bare(self.remote(side)).expect("open remote")
    }

    /// Makes a commit with a fixed date on `side` on top of `parent` (a root commit when
    /// `None`), without moving any branch, and returns its id.
    pub fn make_commit(&self, side: Side, parent: Option<&str>, message: &str) -> String {
        let repo = self.repo(side);
        self.clock.set(self.clock.get() + 60);
        let (name, email) = self.author.borrow().clone();
        let time = git2::Time::new(1_700_000_000 + self.clock.get(), 0);
        let sig = git2::Signature::new(&name, &email, &time).expect("signature");
        let parent = parent.map(|p| {
            repo.find_commit(git2::Oid::from_str(p).expect("oid")).expect("parent exists")
        });
        let mut tree = repo
            .treebuilder(parent.as_ref().map(|p| p.tree().expect("tree")).as_ref())
            .expect("tb");
        let blob = repo.blob(message.as_bytes()).expect("blob");
        tree.insert(format!("{}.txt", message.replace([' ', '/'], "-")), blob, 0o100644)
            .expect("insert");
        let tree = repo.find_tree(tree.write().expect("write tree")).expect("tree");
        let parents: Vec<&git2::Commit> = parent.iter().collect();
        repo.commit(None, &sig, &sig, &format!("{message}\n"), &tree, &parents)
            .expect("commit")
            .to_string()
    }

    /// Commits on top of `branch` on `side` (creating it if absent), moves the branch, and
    /// returns the new commit.
    pub fn commit(&self, side: Side, branch: &str, message: &str) -> String {
        let parent = self.tip(side, branch);
        let oid = self.make_commit(side, parent.as_deref(), message);
        self.set_branch(side, branch, &oid);
        oid
    }

    /// Points `branch` on `side` at `oid` (which must exist there), as a force push would.
    pub fn set_branch(&self, side: Side, branch: &str, oid: &str) {
        let repo = self.repo(side);
        repo.reference(
            &format!("refs/heads/{branch}"),
            git2::Oid::from_str(oid).expect("oid"),
            true,
            "test",
        )
        .expect("set ref");
    }

    pub fn delete_branch(&self, side: Side, branch: &str) {
        let repo = self.repo(side);
        repo.find_reference(&format!("refs/heads/{branch}"))
            .expect("ref")
            .delete()
            .expect("delete");
    }

    /// Returns the tip of `branch` on `side`.
    pub fn tip(&self, side: Side, branch: &str) -> Option<String> {
        self.repo(side).refname_to_id(&format!("refs/heads/{branch}")).ok().map(|o| o.to_string())
    }

    /// Returns every branch of `side` with its tip.
    pub fn branches(&self, side: Side) -> Vec<(String, String)> {
        let out = run_ok(git().arg("--git-dir").arg(self.remote(side)).args([
            "for-each-ref",
            "--format=%(refname:short) %(objectname)",
            "refs/heads",
        ]));
        out.lines()
            .map(|l| l.split_once(' ').map(|(a, b)| (a.to_string(), b.to_string())).expect("line"))
            .collect()
    }

    /// Pushes `branch` from one remote to the other with plain git, as a person would (the
    /// Git Fusion stand-in's hooks run and record changelists).
    pub fn push_across(&self, from: Side, to: Side, branch: &str) {
        run_ok(
            git()
                .arg("--git-dir")
                .arg(self.remote(from))
                .arg("push")
                .arg("--quiet")
                .arg(self.remote(to))
                .arg(format!("refs/heads/{branch}:refs/heads/{branch}")),
        );
    }

    /// Makes the same history on both sides: one commit on `branch`, mirrored with plain git.
    pub fn seed(&self, branch: &str) -> String {
        let oid = self.commit(Gitlab, branch, &format!("seed {branch}"));
        self.push_across(Gitlab, Fusion, branch);
        oid
    }

    /// Returns the change the Git Fusion stand-in recorded commit `sha1` in.
    pub fn change_of(&self, sha1: &str) -> u64 {
        self.changelists()
            .iter()
            .find(|c| c["sha1"] == sha1)
            .and_then(|c| c["change"].as_u64())
            .unwrap_or_else(|| panic!("no changelist for {sha1}"))
    }

    /// Returns the changelists the Git Fusion stand-in recorded.
    pub fn changelists(&self) -> Vec<Value> {
        read_jsonl(&self.remote(Fusion).join("fusion/changelists.jsonl"))
    }

    pub fn journal(&self) -> Vec<Value> {
        read_jsonl(&self.path(".gfbridge/widgets/journal.jsonl"))
    }

    /// Merges `json`'s keys into the stand-in's settings.json.
    pub fn set_fusion_settings(&self, json: &str) {
        let path = self.remote(Fusion).join("fusion/settings.json");
        let mut settings: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("settings")).expect("json");
        let update: Value = serde_json::from_str(json).expect("json");
        for (key, value) in update.as_object().expect("object") {
            settings[key] = value.clone();
        }
        std::fs::write(path, settings.to_string()).expect("settings");
    }

    /// Pushes `refspec` from `side`'s repo to the Git Fusion stand-in with plain git, as a
    /// person would, and returns whether it was accepted and what the remote said.
    pub fn plain_push_to_fusion(&self, from: Side, refspec: &str) -> (bool, String) {
        let out = git()
            .arg("--git-dir")
            .arg(self.remote(from))
            .arg("push")
            .arg(self.remote(Fusion))
            .arg(refspec)
            .output()
            .expect("push");
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    }

    /// Makes the Git Fusion stand-in finish every copy it left hanging (`background: hang`).
    pub fn finish_fusion_copies(&self) {
        let keys = self.remote(Fusion).join("fusion/keys.json");
        let text = std::fs::read_to_string(&keys).expect("keys");
        std::fs::write(&keys, text.replace("started", "completed successfully")).expect("keys");
    }

    /// Syncs `branch` once, then moves it on both sides apart, and syncs again (exit 3).
    pub fn diverge(&self, branch: &str) {
        self.seed(branch);
        assert_eq!(self.sync().code, 0, "gfbridge records the base");
        self.commit(Gitlab, branch, "ours");
        self.commit(Fusion, branch, "theirs");
        assert_eq!(self.sync().code, 3, "diverged");
    }

    /// Returns a gfbridge command run from the world's directory with its config.
    pub fn gfbridge_command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gfbridge"));
        hermetic(&mut cmd);
        cmd.current_dir(self.tmp.path())
            .env("HOME", self.tmp.path())
            .arg("--config")
            .arg(self.path("gfbridge.toml"));
        cmd.args(args).stdin(Stdio::null());
        cmd
    }

    pub fn gfbridge(&self, args: &[&str]) -> Run {
        let run = to_run(self.gfbridge_command(args).output().expect("gfbridge runs"));
        Run { document: json_document(args), ..run }
    }

    pub fn sync(&self) -> Run {
        self.gfbridge(&["sync"])
    }

    pub fn sync_json(&self) -> Run {
        self.gfbridge(&["sync", "--format", "json"])
    }

    /// Installs a wrapper `git` that runs `script` (sh) before the real git, and points the
    /// config at it. The script sees `$REAL_GIT`, `$WORLD` and the arguments.
    pub fn wrap_git(&self, script: &str) {
        let wrapper = self.path("git-wrapper");
        let text = format!(
            "#!/bin/sh\nREAL_GIT='{}'\nWORLD='{}'\n{script}\nexec \"$REAL_GIT\" \"$@\"\n",
            real_git().display(),
            self.tmp.path().display()
        );
        std::fs::write(&wrapper, text).expect("wrapper");
        run_ok(Command::new("chmod").arg("+x").arg(&wrapper));
        let config = std::fs::read_to_string(self.path("gfbridge.toml")).expect("config");
        let line = format!("git = \"{}\"\n", wrapper.display());
        let config = match config.split_once("[bridge]\n") {
            Some((before, after)) => format!("{before}[bridge]\n{line}{after}"),
            None => format!("[bridge]\n{line}{config}"),
        };
        self.write_config(&config);
    }
}

pub fn to_run(out: Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        document: None,
    }
}

/// Runs a gfbridge command made by `World::gfbridge_command` (with its own environment), and
/// returns what it printed; `json()` checks a JSON document against its schema.
pub fn run_gfbridge(cmd: &mut Command) -> Run {
    let args: Vec<String> = cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let document = json_document(&args);
    Run { document, ..to_run(cmd.output().expect("gfbridge runs")) }
}

/// Returns the JSON document gfbridge prints for `args`, if they ask for one: the command
/// (`sync`, `report`, `check`, `status`, `authors`) with `--format json`.
pub fn json_document(args: &[&str]) -> Option<&'static str> {
    if !args.windows(2).any(|pair| pair == ["--format", "json"]) {
        return None;
    }
    let documents =
        ["sync", "report", "check", "status", "authors", "audit", "cutover", "discover"];
    args.iter().find_map(|a| documents.into_iter().find(|d| d == a))
}

pub fn read_jsonl(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines().map(|l| serde_json::from_str(l).expect("json line")).collect()
}

/// Waits until `condition` holds, failing the test after `limit`.
pub fn await_condition(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Kills a child with SIGKILL and reaps it.
pub fn kill9(child: &mut Child) {
    run_ok(Command::new("kill").arg("-9").arg(child.id().to_string()));
    let _ = child.wait();
}

/// Takes workspace `name`'s lock as another gfbridge run would; dropping the file releases it.
pub fn hold_lock(w: &World, name: &str) -> std::fs::File {
    let dir = w.path(&format!(".gfbridge/{name}"));
    std::fs::create_dir_all(&dir).expect("dir");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("lock"))
        .expect("lock file");
    file.try_lock().expect("test takes the lock");
    file
}

/// Runs `tests/it/fixtures/<script>` with python3, `input` as JSON on its stdin, and returns
/// what it prints as JSON (the scripts that hold gfbridge to an independent Python reading).
pub fn python_json(script: &str, input: &impl serde::Serialize) -> Value {
    fixture_json(python3(), script, input)
}

/// Returns the Python of the tests' virtual environment (giftless, p4python), which
/// `scripts/setup.sh` makes.
pub fn venv_python() -> PathBuf {
    let python = repo_root().join("target/test-venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: run scripts/setup.sh (it installs giftless and p4python)",
        python.display()
    );
    python
}

/// Runs `tests/it/fixtures/<script>` with the virtual environment's Python (where Perforce's
/// own P4Python is), `input` as JSON on its stdin, and returns what it prints as JSON.
pub fn p4python_json(script: &str, input: &impl serde::Serialize) -> Value {
    fixture_json(Command::new(venv_python()), script, input)
}

fn fixture_json(mut python: Command, script: &str, input: &impl serde::Serialize) -> Value {
    let mut child = python
        .arg(repo_root().join("tests/it/fixtures").join(script))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{:?} cannot run: {e}", python.get_program()));
    let input = serde_json::to_vec(input).expect("json");
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), &input).expect("write");
    let output = child.wait_with_output().expect("python ends");
    assert!(output.status.success(), "{script}: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("json out")
}
