//! What Git Fusion knows about a repo, gathered once per run and only when needed: its config
//! files, the usermap, the users and the server's case handling. Offline files named in the
//! config replace the matching `p4` call (SPEC §3).

use std::path::{Path, PathBuf};

use super::authors::{author_sources, same_user, Directory};
use super::p4::{P4Error, P4};
use super::p4gf_config::{encode_repo_name, FusionConfig, IniFile, ParseError};
use super::users::{parse_usermap, parse_users, P4User, UsermapLine, UsersError};
use crate::config::{Perforce, Workspace};

/// The error returned when Git Fusion's facts cannot be gathered.
#[derive(Debug, thiserror::Error)]
pub enum FactsError {
    /// A `p4` call failed.
    #[error(transparent)]
    P4(#[from] P4Error),
    /// A `p4gf_config` file is not valid INI.
    #[error("{0} (Git Fusion cannot read it either)")]
    Config(#[from] ParseError),
    /// The users or the usermap cannot be read.
    #[error(transparent)]
    Users(#[from] UsersError),
    /// An offline file named in the config cannot be read.
    #[error("cannot read {path}: {reason}")]
    Read { path: PathBuf, reason: String },
}

/// Git Fusion's view of one repo.
#[derive(Clone, Debug)]
pub struct FusionFacts {
    /// The global and per-repo `p4gf_config`.
    pub config: FusionConfig,
    /// `p4gf_usermap` lines, or why Git Fusion could not read the file (which refuses a push
    /// only once a lookup needs the usermap: Git Fusion reads it lazily, reference §9.8).
    pub usermap: Result<Vec<UsermapLine>, UsersError>,
    /// `p4 users -a`.
    pub users: Vec<P4User>,
    /// The server folds case (`caseHandling` ≠ `sensitive`).
    pub case_insensitive: bool,
}

/// Returns the facts for `ws`, from files where the config names them, else from `p4`.
pub fn load(perforce: &Perforce, ws: &Workspace) -> Result<FusionFacts, FactsError> {
    let p4 = P4::new(perforce);
    let global_path = "//.git-fusion/p4gf_config".to_string();
    let repo_path =
        format!("//.git-fusion/repos/{}/p4gf_config", encode_repo_name(&ws.fusion_repo));
    let usermap_path = "//.git-fusion/users/p4gf_usermap".to_string();
    let global = source(perforce.global_config_file.as_deref(), || p4.print(&global_path))?;
    let repo = source(ws.repo_config_file.as_deref(), || p4.print(&repo_path))?;
    let usermap = source(perforce.usermap_file.as_deref(), || p4.print(&usermap_path))?;
    let users = match &perforce.users_file {
        Some(path) => read(path)?,
        None => p4.users()?,
    };
    let case = match &perforce.case_handling {
        Some(case) => Some(case.clone()),
        None => p4.case_handling()?,
    };
    Ok(FusionFacts {
        config: FusionConfig {
            // Git Fusion creates a missing global file with defaults, so absent = all defaults.
            global: IniFile::parse(&global_path, global.as_deref().unwrap_or(""))?,
            repo: repo.map(|text| IniFile::parse(&repo_path, &text)).transpose()?,
        },
        usermap: parse_usermap(&usermap_path, usermap.as_deref().unwrap_or("")),
        users: parse_users("p4 users", &users)?,
        case_insensitive: case.is_some_and(|c| c != "sensitive"),
    })
}

fn source(
    file: Option<&Path>,
    call: impl FnOnce() -> Result<Option<String>, P4Error>,
) -> Result<Option<String>, FactsError> {
    match file {
        Some(path) => read(path).map(Some),
        None => Ok(call()?),
    }
}

fn read(path: &Path) -> Result<String, FactsError> {
    std::fs::read_to_string(path)
        .map_err(|e| FactsError::Read { path: path.to_path_buf(), reason: e.to_string() })
}

impl FusionFacts {
    /// Returns the author directory of one push, as Git Fusion's `UserMap` starts it.
    pub fn directory(&self) -> Directory {
        let sources = self.config.effective("authentication", "author-source").map(|(v, _)| v);
        Directory::new(
            self.usermap.clone(),
            self.users.clone(),
            author_sources(sources),
            self.config.truthy("authentication", "email-case-sensitivity"),
            self.case_insensitive,
        )
    }

    /// Returns the Perforce user called `name`, compared as the server compares names.
    pub fn user(&self, name: &str) -> Option<&P4User> {
        self.users.iter().find(|u| same_user(&u.user, name, self.case_insensitive))
    }
}
