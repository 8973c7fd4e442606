//! The validated configuration (docs/configuration.md): loading, defaults and every check on values.
//!
//! Owns turning `gfbridge.toml` into typed settings whose errors name the file, the key and
//! what is wrong. Must not touch remotes, and is the only place that resolves paths relative
//! to the config file.

mod credentials;
mod duration;
pub mod example;
mod lfs;
pub mod pattern;
mod raw;
mod workspace;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::check_id::CheckId;
use crate::git::RemoteUrl;
use crate::plan::Side;
use duration::Bounds;
use pattern::BranchPattern;
use raw::RawConfig;

/// The error returned by [`Config::load`]; every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source} (create one with `gfbridge init`, or name another with --config)")]
    Read { path: PathBuf, source: std::io::Error },
    /// The file is not valid TOML, has an unknown key, or a value of the wrong type.
    #[error("{path}:{line}:{column}: {message}")]
    Syntax { path: PathBuf, line: usize, column: usize, message: String },
    /// A value is present but wrong, or a required key is missing.
    #[error("{path}: {key}: {message}")]
    Invalid { path: PathBuf, key: String, message: String },
}

/// What to do with a commit whose author Git Fusion would give to `unknown_git`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnmappedPolicy {
    /// Let Git Fusion attribute it to `unknown_git` (reported, not blocked).
    UnknownGit,
    /// Block the push.
    Block,
}

/// Where the set of protected branches comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtectedFrom {
    /// The allowlist alone decides.
    Config,
    /// The allowlist intersected with GitLab's protected-branch rules.
    Gitlab,
}

/// Returns the value of the environment variable `name` (secrets are named, never written in
/// the config), in a type that cannot be printed by accident and is zeroed on drop; `None`
/// when unset or empty.
pub fn secret(name: &str) -> Option<secrecy::SecretString> {
    std::env::var(name).ok().filter(|v| !v.is_empty()).map(secrecy::SecretString::from)
}

/// The `[bridge]` table.
#[derive(Clone, Debug)]
pub struct Bridge {
    /// Absolute directory holding caches, state and journals.
    pub cache_dir: PathBuf,
    /// The git executable.
    pub git: PathBuf,
    /// The Perforce user that receives unmapped authors.
    pub unknown_user: String,
    /// What an author mapped only to `unknown_git` does to a push.
    pub on_unmapped_author: UnmappedPolicy,
    /// How long to wait for Git Fusion to confirm a push.
    pub push_confirm_timeout: Duration,
    /// The checks a workspace without its own `accept_unchecked` accepts as not made.
    pub accept_unchecked: Vec<CheckId>,
}

/// The Perforce user Git Fusion gives unmapped authors: a constant of its code
/// (`p4gf_const.P4GF_UNKNOWN_USER`), so the only value `[bridge] unknown_user` accepts.
pub const UNKNOWN_GIT: &str = "unknown_git";

/// Whether LFS objects travel with their commits (workspace key `lfs`); `lfs` acts on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LfsMode {
    /// Objects are copied before a push that needs them (the default).
    #[default]
    Auto,
    /// Pointers are mirrored as plain blobs; nothing is asked of any LFS server.
    Off,
}

/// The `[gitlab]` table.
#[derive(Clone, Debug)]
pub struct Gitlab {
    /// API base URL, without `/api/v4`.
    pub url: String,
    /// Environment variable holding the API token.
    pub token_env: String,
    /// Environment variable holding the webhook secret.
    pub webhook_secret_env: String,
    /// Events pushed by this account are ignored.
    pub bridge_username: String,
    /// Timeout of each API request.
    pub timeout: Duration,
}

/// The `[perforce]` table.
#[derive(Clone, Debug)]
pub struct Perforce {
    /// The p4 executable.
    pub p4: PathBuf,
    /// Passed as `-p` when set.
    pub port: Option<String>,
    /// Passed as `-u` when set.
    pub user: Option<String>,
    /// Offline replacement for `p4 users`.
    pub users_file: Option<PathBuf>,
    /// Offline replacement for the usermap.
    pub usermap_file: Option<PathBuf>,
    /// Offline replacement for the global `p4gf_config`.
    pub global_config_file: Option<PathBuf>,
    /// Offline replacement for `p4 info`'s `caseHandling`.
    pub case_handling: Option<String>,
    /// Offline protections: saved `p4 -ztag -Mj protects -a` (docs/git-fusion.md).
    pub protects_file: Option<PathBuf>,
    /// Offline groups: saved `p4 -ztag -Mj groups`.
    pub groups_file: Option<PathBuf>,
    /// The address Git Fusion sees gfbridge connect from (the host of its protections).
    pub client_host: Option<String>,
    /// `git-fusion-user`'s `clientAddress`, for offline protections.
    pub fusion_host: Option<String>,
    /// The Perforce user Git Fusion authenticates gfbridge's pushes as (docs/git-fusion.md).
    pub pusher: Option<String>,
    /// The address Git Fusion's repos are served under (`discover` appends each repo's name).
    pub fusion_url: Option<String>,
}

impl Perforce {
    /// Returns the pusher Git Fusion checks (docs/git-fusion.md): `pusher`, else the user of
    /// `[credentials.fusion]` (`fusion`), else `user`.
    pub fn pusher<'a>(
        &'a self,
        fusion: Option<&'a crate::credentials::Credential>,
    ) -> Option<&'a str> {
        self.pusher.as_deref().or(fusion.map(|c| c.username.as_str())).or(self.user.as_deref())
    }
}

/// One `[[workspace]]`: a GitLab project paired with a Git Fusion repo.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// `[a-z0-9][a-z0-9._-]*`, unique in the file.
    pub name: String,
    /// Path with namespace, or numeric id.
    pub gitlab_project: Option<String>,
    /// Where GitLab's repository is fetched from and pushed to.
    pub gitlab_remote: RemoteUrl,
    /// Where Git Fusion's repository is fetched from and pushed to.
    pub fusion_remote: RemoteUrl,
    /// The Git Fusion repo name.
    pub fusion_repo: String,
    /// The allowlist.
    pub branches: Vec<BranchPattern>,
    /// Where protection comes from.
    pub protected_from: ProtectedFrom,
    /// Poll period for `serve`.
    pub interval: Duration,
    /// Offline per-repo `p4gf_config`.
    pub repo_config_file: Option<PathBuf>,
    /// Offline per-repo `p4gf_config2` (lightweight branches, docs/git-fusion.md).
    pub repo_config2_file: Option<PathBuf>,
    /// This workspace's Perforce settings: its `[workspace.perforce]` over the global
    /// `[perforce]` (docs/configuration.md). Every p4 call, offline file and check of the workspace uses
    /// these, so nothing learnt from one server is used for another.
    pub perforce: Option<Perforce>,
    /// `tags`: the tags mirrored (docs/tags.md), GitLab's wildcard rule; empty: none.
    pub tags: Vec<BranchPattern>,
    /// Whether LFS objects travel with their commits (docs/lfs.md).
    pub lfs: LfsMode,
    /// `gitlab_lfs_url`: GitLab's LFS endpoint, when not the convention's.
    pub gitlab_lfs_url: Option<String>,
    /// `fusion_lfs_url`: Git Fusion's LFS endpoint, when not the convention's.
    pub fusion_lfs_url: Option<String>,
    /// The checks that may be skipped (not made) without blocking the verdict: the
    /// workspace's `accept_unchecked`, else `[bridge] accept_unchecked`.
    pub accept_unchecked: Vec<CheckId>,
}

impl Workspace {
    /// Returns the git remote of `side`.
    pub fn remote(&self, side: Side) -> &RemoteUrl {
        match side {
            Side::Gitlab => &self.gitlab_remote,
            Side::Fusion => &self.fusion_remote,
        }
    }
}

/// The whole validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    /// `[bridge]`.
    pub bridge: Bridge,
    /// `[gitlab]`, if present.
    pub gitlab: Option<Gitlab>,
    /// `[authors]`: intended attribution, git email → Perforce user.
    pub authors: BTreeMap<String, String>,
    /// The global `[perforce]`, if present (each workspace has its own merged copy).
    pub perforce: Option<Perforce>,
    /// `[serve] dashboard_token_env`: the variable holding the status page's bearer token.
    pub dashboard_token_env: Option<String>,
    /// The workspaces, in file order.
    pub workspaces: Vec<Workspace>,
}

impl Config {
    /// Returns the config read from `path`, validated, with defaults applied.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::Read { path: path.to_path_buf(), source: e })?;
        Self::parse(path, &text)
    }

    /// Returns the config held in `text`, as if read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| syntax_error(path, text, &e))?;
        Validator { path, dir: config_dir(path) }.config(raw)
    }

    /// Returns the workspace called `name`.
    pub fn workspace(&self, name: &str) -> Option<&Workspace> {
        self.workspaces.iter().find(|w| w.name == name)
    }
}

impl crate::errors::Classified for ConfigError {
    fn exit(&self) -> crate::exit::Exit {
        match self {
            ConfigError::Read { .. } | ConfigError::Syntax { .. } | ConfigError::Invalid { .. } => {
                crate::exit::Exit::Usage
            }
        }
    }
}

fn config_dir(path: &Path) -> PathBuf {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())
}

fn syntax_error(path: &Path, text: &str, error: &toml::de::Error) -> ConfigError {
    let offset = error.span().map_or(0, |s| s.start);
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    let mut message = error.message().trim_end().replace('\n', " ");
    // TOML names the position; people also want the key, which is on that line.
    let line_text = text.lines().nth(line - 1).unwrap_or("");
    let header = line_text.trim().strip_prefix('[').and_then(|h| h.split(']').next());
    if let Some(table) = header.map(|h| h.trim_matches(['[', ' '])).filter(|t| !t.is_empty()) {
        // A table header (`[gitlab]` twice, say): name the table.
        if !message.contains(&format!("`{table}`")) {
            message = format!("table `[{table}]`: {message}");
        }
    } else if let Some((key, _)) = line_text.split_once('=') {
        let key = key.trim().trim_matches('"');
        if !key.is_empty() && !message.contains(&format!("`{key}`")) {
            message = format!("key `{key}`: {message}");
        }
    }
    ConfigError::Syntax { path: path.to_path_buf(), line, column, message }
}

struct Validator<'a> {
    path: &'a Path,
    dir: PathBuf,
}

impl Validator<'_> {
    fn invalid(&self, key: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            path: self.path.to_path_buf(),
            key: key.into(),
            message: message.into(),
        }
    }

    fn relative(&self, value: &str) -> PathBuf {
        self.dir.join(value)
    }

    fn config(&self, raw: RawConfig) -> Result<Config, ConfigError> {
        let bridge = self.bridge(raw.bridge)?;
        let gitlab = raw.gitlab.map(|g| self.gitlab(g)).transpose()?;
        // Checked on its own first, so that an error names `perforce.<key>`.
        let perforce = match &raw.perforce {
            Some(global) => Some(self.perforce(global.clone(), "perforce")?),
            None => None,
        };
        let dashboard_token_env = raw.serve.dashboard_token_env.filter(|v| !v.trim().is_empty());
        let authors = self.authors(raw.authors)?;
        let credential = |raw: Option<raw::RawCredential>, table: &str| {
            raw.map(|c| self.credential(c, table)).transpose()
        };
        let gitlab_credential = credential(raw.credentials.gitlab, "credentials.gitlab")?;
        let fusion_credential = credential(raw.credentials.fusion, "credentials.fusion")?;
        if raw.workspace.is_empty() {
            return Err(self.invalid(
                "workspace",
                "no [[workspace]] is defined: add one (see `gfbridge init`)",
            ));
        }
        let mut names = BTreeSet::new();
        let mut workspaces = Vec::new();
        for (index, ws) in raw.workspace.into_iter().enumerate() {
            let mut ws = self.workspace(index, ws, raw.perforce.as_ref(), &bridge)?;
            ws.gitlab_remote = ws.gitlab_remote.with_credential(gitlab_credential.clone());
            ws.fusion_remote = ws.fusion_remote.with_credential(fusion_credential.clone());
            self.gitlab_needs(index, &ws, gitlab.as_ref())?;
            if !names.insert(ws.name.clone()) {
                let key = format!("workspace[{index}].name");
                return Err(
                    self.invalid(key, format!("workspace name `{}` is used twice", ws.name))
                );
            }
            workspaces.push(ws);
        }
        let path = self.path.to_path_buf();
        Ok(Config { path, bridge, gitlab, authors, perforce, dashboard_token_env, workspaces })
    }

    fn bridge(&self, raw: raw::RawBridge) -> Result<Bridge, ConfigError> {
        let on_unmapped_author = match raw.on_unmapped_author.as_deref().unwrap_or("unknown_git") {
            "unknown_git" => UnmappedPolicy::UnknownGit,
            "block" => UnmappedPolicy::Block,
            other => {
                let msg = format!("`{other}` is not one of \"unknown_git\", \"block\"");
                return Err(self.invalid("bridge.on_unmapped_author", msg));
            }
        };
        let timeout = raw.push_confirm_timeout.as_deref().unwrap_or("120s");
        let push_confirm_timeout = duration::parse(timeout, Bounds::CONFIRM)
            .map_err(|m| self.invalid("bridge.push_confirm_timeout", m))?;
        let git = raw.git.unwrap_or_else(|| "git".into());
        // A bare name is looked up on PATH; anything with a slash is a path from the config.
        let git = if git.contains('/') { self.relative(&git) } else { PathBuf::from(git) };
        let unknown_user = raw.unknown_user.unwrap_or_else(|| "unknown_git".into());
        // Git Fusion's code names this user itself (`p4gf_const.P4GF_UNKNOWN_USER`); another
        // name here would make every prediction about unmapped authors wrong.
        if unknown_user != UNKNOWN_GIT {
            return Err(self.invalid(
                "bridge.unknown_user",
                format!(
                    "must be \"unknown_git\" (got \"{unknown_user}\"): Git Fusion always gives unmapped authors to the user `unknown_git`, a constant of its code; remove the key or set it to that"
                ),
            ));
        }
        let accept_unchecked =
            self.check_ids(raw.accept_unchecked.unwrap_or_default(), "bridge.accept_unchecked")?;
        Ok(Bridge {
            cache_dir: self.relative(raw.cache_dir.as_deref().unwrap_or(".gfbridge")),
            git,
            unknown_user,
            on_unmapped_author,
            push_confirm_timeout,
            accept_unchecked,
        })
    }

    /// Returns the check ids of `key`; an unknown one is an error naming it and the known ids.
    fn check_ids(&self, names: Vec<String>, key: &str) -> Result<Vec<CheckId>, ConfigError> {
        let unknown: Vec<&str> =
            names.iter().filter(|n| n.parse::<CheckId>().is_err()).map(String::as_str).collect();
        if !unknown.is_empty() {
            let known: Vec<&str> = CheckId::ALL.iter().map(|id| id.as_str()).collect();
            return Err(self.invalid(
                key,
                format!(
                    "unknown check id(s): {} (known: {})",
                    unknown.join(", "),
                    known.join(", ")
                ),
            ));
        }
        let mut ids: Vec<CheckId> = names.iter().filter_map(|n| n.parse().ok()).collect();
        ids.sort();
        ids.dedup();
        Ok(ids)
    }

    /// Checks what reading GitLab's protected branches needs: a project and an API URL.
    fn gitlab_needs(
        &self,
        index: usize,
        ws: &Workspace,
        gitlab: Option<&Gitlab>,
    ) -> Result<(), ConfigError> {
        if ws.protected_from != ProtectedFrom::Gitlab {
            return Ok(());
        }
        let why = "protected_from = \"gitlab\" (the default) reads GitLab's protected branches";
        if ws.gitlab_project.as_deref().is_none_or(|p| p.trim().is_empty()) {
            let message = format!("is required: {why}; or set protected_from = \"config\"");
            return Err(self.invalid(format!("workspace[{index}].gitlab_project"), message));
        }
        if gitlab.is_none_or(|g| g.url.is_empty()) {
            let message = format!("is required: workspace `{}` has {why}", ws.name);
            return Err(self.invalid("gitlab.url", message));
        }
        Ok(())
    }

    fn gitlab(&self, raw: raw::RawGitlab) -> Result<Gitlab, ConfigError> {
        let timeout = raw.timeout.as_deref().unwrap_or("30s");
        Ok(Gitlab {
            url: raw.url.unwrap_or_default().trim_end_matches('/').to_string(),
            token_env: raw.token_env.unwrap_or_else(|| "GITLAB_TOKEN".into()),
            webhook_secret_env: raw
                .webhook_secret_env
                .unwrap_or_else(|| "GFBRIDGE_WEBHOOK_SECRET".into()),
            bridge_username: raw.bridge_username.unwrap_or_else(|| "gfbridge".into()),
            timeout: duration::parse(timeout, Bounds::HTTP)
                .map_err(|m| self.invalid("gitlab.timeout", m))?,
        })
    }

    /// Returns validated Perforce settings; `table` names them in errors (`perforce`, or
    /// `workspace[1].perforce`).
    fn perforce(&self, raw: raw::RawPerforce, table: &str) -> Result<Perforce, ConfigError> {
        if let Some(case) = raw.case_handling.as_deref() {
            if case != "sensitive" && case != "insensitive" {
                let msg = format!("`{case}` is not one of \"sensitive\", \"insensitive\"");
                return Err(self.invalid(format!("{table}.case_handling"), msg));
            }
        }
        let file = |v: Option<String>| v.map(|v| self.relative(&v));
        let p4 = raw.p4.unwrap_or_else(|| "p4".into());
        Ok(Perforce {
            p4: if p4.contains('/') { self.relative(&p4) } else { PathBuf::from(p4) },
            port: raw.port,
            user: raw.user,
            users_file: file(raw.users_file),
            usermap_file: file(raw.usermap_file),
            global_config_file: file(raw.global_config_file),
            case_handling: raw.case_handling,
            protects_file: file(raw.protects_file),
            groups_file: file(raw.groups_file),
            client_host: raw.client_host,
            fusion_host: raw.fusion_host,
            pusher: raw.pusher,
            fusion_url: raw.fusion_url.map(|u| u.trim_end_matches('/').to_string()),
        })
    }

    fn authors(
        &self,
        raw: BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, ConfigError> {
        let mut seen = BTreeMap::new();
        for (email, user) in &raw {
            let key = format!("authors.\"{email}\"");
            if !email.contains('@') || email.contains(['<', '>', ',', ' ']) {
                return Err(self.invalid(key, "must be a bare email address like jane@example.com"));
            }
            if user.trim().is_empty() || user.contains(char::is_whitespace) {
                return Err(self.invalid(key, format!("`{user}` is not a Perforce user name")));
            }
            // Git Fusion compares addresses case-insensitively by default, so two keys that
            // differ only in case would be one author with two intended users.
            if let Some(first) = seen.insert(email.to_lowercase(), email) {
                return Err(self.invalid(
                    key,
                    format!("the same address as \"{first}\" (letter case does not count)"),
                ));
            }
        }
        Ok(raw)
    }
}

/// Returns true for names of the form `[a-z0-9][a-z0-9._-]*`.
pub fn valid_workspace_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        && bytes.all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
}

fn illegal_repo_name_part(name: &str) -> Option<&'static str> {
    ["...", "@", "#", "*", ",", "\"", "%"].into_iter().find(|bad| name.contains(bad))
}
