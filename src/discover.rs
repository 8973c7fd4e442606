//! `gfbridge discover` (docs/discover.md): pairs Git Fusion's repos with a GitLab group's
//! projects and proposes a `[[workspace]]` for each new pair; `--write` appends them to the
//! config, keeping its comments and every existing workspace byte for byte, and only when the
//! result loads.
//!
//! Owns the pairing (`pair`, `MapRule`: pure), gathering both lists, and the config edit
//! (`toml_edit`, format-preserving). Must not touch a remote beyond reading the two lists and
//! each new project's protected branches.

use std::collections::BTreeSet;
use std::path::Path;

use schemars::JsonSchema;
use serde::Serialize;

use crate::config::Config;
use crate::gitlab::{GitlabClient, GitlabError, GroupProject};
use crate::perforce::{P4Error, P4};

/// A `--map` rule: Git Fusion names matching `fusion` (one `*`) pair with the GitLab path
/// `gitlab` (one `*`), the `*` standing for the same text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapRule {
    fusion: (String, String),
    gitlab: (String, String),
}

impl std::str::FromStr for MapRule {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (fusion, gitlab) = text.split_once('=').ok_or_else(|| {
            format!("`{text}` is not FUSION=GITLAB (e.g. 'games/*=studio/games/*')")
        })?;
        let halves = |side: &str, pattern: &str| match pattern.split_once('*') {
            Some((before, after)) if !after.contains('*') => {
                Ok((before.to_string(), after.to_string()))
            }
            _ => Err(format!("`{text}`: the {side} side `{pattern}` must hold exactly one `*`")),
        };
        Ok(MapRule { fusion: halves("Git Fusion", fusion)?, gitlab: halves("GitLab", gitlab)? })
    }
}

impl MapRule {
    /// Returns the GitLab path this rule gives Git Fusion repo `name`, if it matches.
    fn apply(&self, name: &str) -> Option<String> {
        let (before, after) = &self.fusion;
        let middle = name.strip_prefix(before.as_str())?.strip_suffix(after.as_str())?;
        Some(format!("{}{middle}{}", self.gitlab.0, self.gitlab.1))
    }
}

/// A Git Fusion repo and the GitLab project it pairs with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    /// Git Fusion's repo name (decoded).
    pub fusion_repo: String,
    /// The GitLab project.
    pub project: GroupProject,
}

/// What the two lists come to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pairing {
    /// New pairs, by GitLab path.
    pub pairs: Vec<Pair>,
    /// Git Fusion repos with no project (and no workspace).
    pub fusion_only: Vec<String>,
    /// GitLab projects with no repo (and no workspace).
    pub gitlab_only: Vec<String>,
}

/// Pairs `repos` with `projects`: by the first `rules` entry a repo's name matches, else by the
/// same path. A pair one of whose sides a workspace of `config` already names is left out,
/// and so are such repos and projects that pair with nothing.
pub fn pair(
    config: &Config,
    repos: &[String],
    projects: &[GroupProject],
    rules: &[MapRule],
) -> Pairing {
    let known_repos: BTreeSet<&str> =
        config.workspaces.iter().map(|w| w.fusion_repo.as_str()).collect();
    let known_projects: BTreeSet<&str> =
        config.workspaces.iter().filter_map(|w| w.gitlab_project.as_deref()).collect();
    let mut taken: BTreeSet<&str> = BTreeSet::new();
    let mut out = Pairing::default();
    let mut repos: Vec<&String> = repos.iter().collect();
    repos.sort();
    repos.dedup();
    for repo in repos {
        let wanted = rules.iter().find_map(|rule| rule.apply(repo)).unwrap_or_else(|| repo.clone());
        let found = projects
            .iter()
            .find(|p| p.path_with_namespace == wanted && !taken.contains(wanted.as_str()));
        if let Some(project) = found {
            taken.insert(&project.path_with_namespace);
        }
        let known = known_repos.contains(repo.as_str())
            || found.is_some_and(|p| known_projects.contains(p.path_with_namespace.as_str()));
        match (found, known) {
            (_, true) => {}
            (Some(project), false) => {
                out.pairs.push(Pair { fusion_repo: repo.clone(), project: project.clone() })
            }
            (None, false) => out.fusion_only.push(repo.clone()),
        }
    }
    out.gitlab_only = projects
        .iter()
        .map(|p| p.path_with_namespace.as_str())
        .filter(|p| !taken.contains(p) && !known_projects.contains(p))
        .map(String::from)
        .collect();
    out.gitlab_only.sort();
    out.pairs.sort_by(|a, b| a.project.path_with_namespace.cmp(&b.project.path_with_namespace));
    out
}

/// A proposed `[[workspace]]`: the keys `discover` writes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub struct NewWorkspace {
    /// The GitLab path with `/` as `-`.
    pub name: String,
    /// The GitLab project's path.
    pub gitlab_project: String,
    /// Its HTTP(S) git address.
    pub gitlab_remote: String,
    /// The Git Fusion address of the repo.
    pub fusion_remote: String,
    /// Git Fusion's repo name.
    pub fusion_repo: String,
    /// What GitLab protects now (`["main"]` when nothing).
    pub branches: Vec<String>,
    /// Always `gitlab`: the mirrored set follows GitLab's protections.
    pub protected_from: String,
}

/// Returns the workspace for `pair`, given the Git Fusion address `fusion_url` and the names
/// GitLab protects in the project.
pub fn new_workspace(pair: &Pair, fusion_url: &str, protected: Vec<String>) -> NewWorkspace {
    let path = &pair.project.path_with_namespace;
    NewWorkspace {
        name: path.replace('/', "-"),
        gitlab_project: path.clone(),
        gitlab_remote: pair.project.http_url_to_repo.clone(),
        fusion_remote: format!("{}/{}", fusion_url.trim_end_matches('/'), pair.fusion_repo),
        fusion_repo: pair.fusion_repo.clone(),
        branches: if protected.is_empty() { vec!["main".into()] } else { protected },
        protected_from: "gitlab".into(),
    }
}

/// The error returned when `discover` cannot list, propose or write.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    /// A setting it needs is missing.
    #[error("{0}")]
    Missing(String),
    /// GitLab could not be read.
    #[error("cannot list the group's projects: {0}")]
    Gitlab(#[from] GitlabError),
    /// Perforce could not be read.
    #[error("cannot list Git Fusion's repos: {0}")]
    P4(#[from] P4Error),
    /// The config with the new workspaces would not load: nothing was written.
    #[error("the config with the new workspaces would not load, so nothing was written: {0}")]
    WouldNotLoad(String),
    /// The config file could not be read or written.
    #[error("cannot write {path}: {source}")]
    Write { path: std::path::PathBuf, source: std::io::Error },
}

impl crate::errors::Classified for DiscoverError {
    fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        match self {
            DiscoverError::Missing(_) => Exit::Usage,
            DiscoverError::Gitlab(_)
            | DiscoverError::P4(_)
            | DiscoverError::WouldNotLoad(_)
            | DiscoverError::Write { .. } => Exit::Failure,
        }
    }
}

/// What `discover` found.
#[derive(Debug)]
pub struct Discovered {
    /// The proposed workspaces, with the repo and project of each.
    pub workspaces: Vec<NewWorkspace>,
    /// Git Fusion repos with no project.
    pub fusion_only: Vec<String>,
    /// GitLab projects with no repo.
    pub gitlab_only: Vec<String>,
}

/// Lists both sides and proposes a workspace per new pair.
pub fn discover(
    config: &Config,
    group: &str,
    fusion_url: Option<&str>,
    rules: &[MapRule],
) -> Result<Discovered, DiscoverError> {
    let gitlab = config.gitlab.as_ref().ok_or_else(|| {
        DiscoverError::Missing("discover reads the group's projects from GitLab: add [gitlab] with url (and token_env)".into())
    })?;
    let perforce = config.perforce.as_ref().ok_or_else(|| {
        DiscoverError::Missing(
            "discover lists Git Fusion's repos with p4: add [perforce] (port, user)".into(),
        )
    })?;
    let fusion_url = fusion_url.or(perforce.fusion_url.as_deref()).ok_or_else(|| {
        DiscoverError::Missing("no Git Fusion address to make fusion_remote from: pass --fusion-url or set [perforce] fusion_url".into())
    })?;
    let client = GitlabClient::new(gitlab, gitlab.timeout)?;
    let projects = client.group_projects(group)?;
    let repos = P4::new(perforce).fusion_repos()?;
    let pairing = pair(config, &repos, &projects, rules);
    let mut workspaces = Vec::new();
    for p in &pairing.pairs {
        let rules = client.protected_branches(&p.project.path_with_namespace)?;
        workspaces.push(new_workspace(p, fusion_url, rules.into_iter().map(|r| r.name).collect()));
    }
    Ok(Discovered {
        workspaces,
        fusion_only: pairing.fusion_only,
        gitlab_only: pairing.gitlab_only,
    })
}

/// Returns the TOML of `workspaces` as `[[workspace]]` tables.
pub fn toml(workspaces: &[NewWorkspace]) -> String {
    let mut doc = toml_edit::DocumentMut::new();
    append(&mut doc, workspaces);
    doc.to_string()
}

fn append(doc: &mut toml_edit::DocumentMut, workspaces: &[NewWorkspace]) {
    use toml_edit::{value, Array, ArrayOfTables, Item, Table};
    if !doc.contains_key("workspace") {
        doc.insert("workspace", Item::ArrayOfTables(ArrayOfTables::new()));
    }
    let Some(tables) = doc["workspace"].as_array_of_tables_mut() else { return };
    for ws in workspaces {
        let mut table = Table::new();
        table.insert("name", value(&ws.name));
        table.insert("gitlab_project", value(&ws.gitlab_project));
        table.insert("gitlab_remote", value(&ws.gitlab_remote));
        table.insert("fusion_remote", value(&ws.fusion_remote));
        table.insert("fusion_repo", value(&ws.fusion_repo));
        table.insert("branches", value(ws.branches.iter().collect::<Array>()));
        table.insert("protected_from", value(&ws.protected_from));
        tables.push(table);
    }
}

/// Appends `workspaces` to the config file at `path`, keeping every byte already there, and
/// only when the result loads (checked on a copy beside it first).
pub fn write(path: &Path, workspaces: &[NewWorkspace]) -> Result<(), DiscoverError> {
    let io = |source| DiscoverError::Write { path: path.to_path_buf(), source };
    let text = std::fs::read_to_string(path).map_err(io)?;
    let mut doc: toml_edit::DocumentMut = text.parse().map_err(|e: toml_edit::TomlError| {
        io(std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))
    })?;
    append(&mut doc, workspaces);
    let new = doc.to_string();
    // Loaded from beside the config, so relative paths in it mean the same.
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let probe = tempfile::Builder::new()
        .prefix(".gfbridge-discover-")
        .suffix(".toml")
        .tempfile_in(dir)
        .map_err(io)?;
    std::fs::write(probe.path(), &new).map_err(io)?;
    if let Err(e) = Config::load(probe.path()) {
        // Named as the file it would have become, not the copy it was tried on.
        let shown = crate::errors::chain(&e)
            .replace(&probe.path().display().to_string(), &path.display().to_string());
        return Err(DiscoverError::WouldNotLoad(shown));
    }
    drop(probe);
    crate::files::write_atomically(path, new.as_bytes(), None).map_err(io)
}
