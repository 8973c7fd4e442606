//! The LFS tests' world: a world whose two sides have LFS servers (giftless as GitLab's, the
//! Git Fusion stand-in's endpoint), and whose GitLab enforces GitLab's LFS rule; commits are
//! made with the real `git lfs` client.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use sha2::{Digest, Sha256};

use crate::harness::*;

/// A server child that prints its port, killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(mut cmd: Command) -> Server {
        let mut child =
            cmd.stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().expect("server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("port");
        let port = line.trim().parse().unwrap_or_else(|_| panic!("no port from {cmd:?}: {line:?}"));
        Server { child, port }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A world whose two sides have LFS servers, and whose GitLab enforces GitLab's LFS rule.
pub struct LfsWorld {
    pub w: World,
    _gitlab_lfs: Server,
    _fusion_lfs: Server,
    pub gitlab_lfs_url: String,
    pub fusion_lfs_url: String,
}

impl LfsWorld {
    pub fn new() -> LfsWorld {
        LfsWorld::with_gitlab_login(None)
    }

    /// Returns the world with GitLab's LFS server requiring this user and password.
    pub fn with_gitlab_login(login: Option<(&str, &str)>) -> LfsWorld {
        let w = World::new();
        let mut giftless = Command::new(venv_python());
        giftless
            .arg(repo_root().join("tests/it/fixtures/lfs_server.py"))
            .arg(w.path("gitlab-lfs"))
            .arg(w.path("gitlab-lfs.log"));
        if let Some((user, password)) = login {
            giftless
                .env("GFBRIDGE_TEST_LFS_USER", user)
                .env("GFBRIDGE_TEST_LFS_PASSWORD", password);
        }
        let gitlab_lfs = Server::start(giftless);
        let mut stand_in = python3();
        stand_in.arg(repo_root().join("p4-fixtures/emulator/lfs_server.py")).arg(w.remote(Fusion));
        let fusion_lfs = Server::start(stand_in);
        // GitLab's own rule, on the bare repository that stands in for the project.
        let hook = w.remote(Gitlab).join("hooks/pre-receive");
        let rule = repo_root().join("tests/it/fixtures/gitlab_lfs_rule.py");
        std::fs::write(&hook, format!("#!/bin/sh\nexec python3 '{}'\n", rule.display()))
            .expect("hook");
        run_ok(Command::new("chmod").arg("+x").arg(&hook));
        let storage = w.path("gitlab-lfs/acme/widgets");
        run_ok(
            git()
                .arg("--git-dir")
                .arg(w.remote(Gitlab))
                .args(["config", "gfbridgetest.lfsstorage"])
                .arg(&storage),
        );
        let world = LfsWorld {
            gitlab_lfs_url: format!(
                "http://127.0.0.1:{}/acme/widgets.git/info/lfs",
                gitlab_lfs.port
            ),
            fusion_lfs_url: format!("http://127.0.0.1:{}/acme/widgets/info/lfs", fusion_lfs.port),
            _gitlab_lfs: gitlab_lfs,
            _fusion_lfs: fusion_lfs,
            w,
        };
        world.fusion_lfs(true);
        world.w.write_config(&world.config(""));
        world
    }

    /// Returns the default config with both LFS URLs and `extra` workspace keys.
    pub fn config(&self, extra: &str) -> String {
        format!(
            "{}gitlab_lfs_url = \"{}\"\nfusion_lfs_url = \"{}\"\n{extra}",
            self.w.default_config(),
            self.gitlab_lfs_url,
            self.fusion_lfs_url
        )
    }

    /// Sets Git Fusion's `git-lfs-enable` (and its `http-url`, pointing at the stand-in).
    pub fn fusion_lfs(&self, enabled: bool) {
        let port =
            self.fusion_lfs_url.split(':').nth(2).and_then(|p| p.split('/').next()).expect("port");
        let yes = if enabled { "yes" } else { "no" };
        self.w.global_config(&format!("[perforce-to-git]\ngit-lfs-enable = {yes}\nhttp-url = http://127.0.0.1:{port}/{{repo}}\n"));
    }

    /// Returns a work clone of `side` set up with the real `git lfs` client, tracking `*.bin`.
    pub fn clone_with_lfs(&self, side: Side, dir: &str) -> PathBuf {
        let work = self.w.path(dir);
        run_ok(git().args(["clone", "--quiet"]).arg(self.w.remote(side)).arg(&work));
        let url = if side == Gitlab { &self.gitlab_lfs_url } else { &self.fusion_lfs_url };
        self.in_clone(&work, &["config", "user.name", "Jane Doe"]);
        self.in_clone(&work, &["config", "user.email", "jane@example.com"]);
        self.in_clone(&work, &["lfs", "install", "--local"]);
        self.in_clone(&work, &["config", "lfs.url", url]);
        self.in_clone(&work, &["config", "lfs.locksverify", "false"]);
        self.in_clone(&work, &["lfs", "track", "*.bin"]);
        work
    }

    /// Seeds `main`, installs gfbridge's pre-receive hook in the GitLab repository (in place of
    /// GitLab's LFS rule) and returns a clone to push from with `git lfs`.
    pub fn hooked_clone(&self) -> PathBuf {
        self.w.seed("main");
        let args = ["hook", "install", "-w", "widgets", "--repo", "gitlab.git", "--force"];
        let hooks = self.w.gfbridge(&args);
        assert_eq!(hooks.code, 0, "{hooks}");
        self.clone_with_lfs(Gitlab, "work")
    }

    pub fn in_clone(&self, work: &Path, args: &[&str]) -> String {
        run_ok(git().current_dir(work).env("HOME", self.w.path("")).args(args))
    }

    /// Commits `files` (path, content) in `work` on `branch` and pushes with `git lfs`'s
    /// pre-push hook (which uploads the objects first). Returns the commit.
    pub fn commit_and_push(&self, work: &Path, branch: &str, files: &[(&str, &[u8])]) -> String {
        self.commit_and_push_with(work, branch, files, &[])
    }

    fn commit_and_push_with(
        &self,
        work: &Path,
        branch: &str,
        files: &[(&str, &[u8])],
        push_flags: &[&str],
    ) -> String {
        let upstream = format!("origin/{branch}");
        let known = git()
            .current_dir(work)
            .args(["rev-parse", "--verify", "--quiet", &upstream])
            .output()
            .expect("git");
        let start = if known.status.success() { upstream.as_str() } else { "HEAD" };
        self.in_clone(work, &["checkout", "--quiet", "-B", branch, start]);
        for (path, content) in files {
            let file = work.join(path);
            std::fs::create_dir_all(file.parent().expect("parent")).expect("dirs");
            std::fs::write(file, content).expect("write");
            self.in_clone(work, &["add", path]);
        }
        self.in_clone(work, &["add", ".gitattributes"]);
        self.in_clone(work, &["commit", "--quiet", "-m", "art"]);
        let mut push = vec!["push", "--quiet"];
        push.extend(push_flags);
        push.extend(["origin", branch]);
        self.in_clone(work, &push);
        self.in_clone(work, &["rev-parse", "HEAD"]).trim().to_string()
    }

    /// Stores `content` where Git Fusion keeps the LFS objects of Perforce files
    /// (`//.git-fusion/objects/repos/<repo>/lfs/sha256/…`, docs/lfs.md).
    pub fn store_in_fusion(&self, content: &[u8]) {
        let oid = sha256(content);
        let path = self.fusion_object_path(&oid);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
        std::fs::write(path, content).expect("object");
    }

    pub fn fusion_object_path(&self, oid: &str) -> PathBuf {
        let root = self
            .w
            .remote(Fusion)
            .join("fusion/depot/.git-fusion/objects/repos/acme_0xS_widgets/lfs/sha256");
        root.join(&oid[0..2]).join(&oid[2..4]).join(&oid[4..6]).join(&oid[6..8]).join(&oid[8..])
    }

    /// Makes a change on the Perforce side: a commit made with `git lfs` in a clone of the Git
    /// Fusion stand-in, whose objects Git Fusion holds in its depot (as for files submitted
    /// in Perforce). Returns the commit.
    pub fn perforce_change(&self, branch: &str, files: &[(&str, &[u8])]) -> String {
        let work = self.w.path("p4work");
        if !work.exists() {
            self.clone_with_lfs(Fusion, "p4work");
        }
        for (_, content) in files {
            self.store_in_fusion(content);
        }
        // Git Fusion's own LFS answers carry no size for uploads, which the `git lfs` client
        // takes for corruption: the objects are already in place, so its hook is skipped.
        self.commit_and_push_with(&work, branch, files, &["--no-verify"])
    }

    pub fn gitlab_requests(&self) -> Vec<String> {
        lines(&self.w.path("gitlab-lfs.log"))
    }

    pub fn fusion_requests(&self) -> Vec<String> {
        lines(&self.w.remote(Fusion).join("fusion/lfs-requests.log"))
    }

    /// Returns whether GitLab's LFS storage holds `content`.
    pub fn gitlab_has(&self, content: &[u8]) -> bool {
        self.w.path("gitlab-lfs/acme/widgets").join(sha256(content)).exists()
    }
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).unwrap_or_default().lines().map(str::to_string).collect()
}

pub fn sha256(content: &[u8]) -> String {
    Sha256::digest(content).iter().map(|b| format!("{b:02x}")).collect()
}

/// A pointer to `content` by the Git LFS specification.
pub fn pointer_to(content: &[u8]) -> String {
    format!(
        "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize {}\n",
        sha256(content),
        content.len()
    )
}

pub fn art(n: usize) -> Vec<u8> {
    (0..200_000).map(|i| ((i * 31 + n * 7) % 251) as u8).collect()
}
