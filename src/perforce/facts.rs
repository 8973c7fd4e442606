//! Gathering Git Fusion's facts about a repo, once per run and only when needed: its config
//! files, the usermap, the users, the server's case handling, and where protections come from.
//! Offline files named in the config replace the matching `p4` call (docs/configuration.md).
//!
//! Must not judge the facts: that is `fusion`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Info, P4Error, P4};
use crate::config::{Perforce, Workspace};
use crate::fusion::facts::FusionFacts;
use crate::fusion::p4gf_config::{encode_repo_name, FusionConfig, IniFile, ParseError};
use crate::fusion::permissions::{ReadProtects, Source};
use crate::fusion::protects::{parse_groups, parse_protects, Groups, TableError};
use crate::fusion::users::{parse_usermap, parse_users, UsersError};

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
    /// A saved protections or groups table is not `-ztag -Mj` output.
    #[error(transparent)]
    Table(#[from] TableError),
    /// An offline file named in the config cannot be read.
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
}

/// Returns the files `load` reads for `ws` (those the config names instead of asking `p4`):
/// facts kept from an earlier read are out of date once one of them changes.
pub fn files<'c>(perforce: &'c Perforce, ws: &'c Workspace) -> Vec<&'c Path> {
    [
        &perforce.global_config_file,
        &perforce.usermap_file,
        &perforce.users_file,
        &perforce.protects_file,
        &perforce.groups_file,
        &ws.repo_config_file,
        &ws.repo_config2_file,
    ]
    .into_iter()
    .filter_map(|file| file.as_deref())
    .collect()
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
    let repo2_path = format!("{repo_path}2");
    // An offline workspace (its repo file given) without the p4gf_config2 file has no
    // lightweight views: nothing is judged by them, and no p4 call is made.
    let repo2 = match (&ws.repo_config2_file, &ws.repo_config_file) {
        (None, Some(_)) => None,
        (file, _) => source(file.as_deref(), || p4.print(&repo2_path))?,
    };
    let usermap = source(perforce.usermap_file.as_deref(), || p4.print(&usermap_path))?;
    let users = match &perforce.users_file {
        Some(path) => read(path)?,
        None => p4.users()?,
    };
    // `p4 info` is asked only for what no setting gives: case handling, and git-fusion-user's
    // address when protections are read online.
    let online = perforce.protects_file.is_none() && perforce.client_host.is_some();
    let info = match (&perforce.case_handling, online) {
        (Some(_), false) => Info::default(),
        _ => p4.info()?,
    };
    let case = perforce.case_handling.clone().or(info.case_handling);
    let protections = protections(perforce, &p4, info.client_address)?;
    Ok(FusionFacts {
        config: FusionConfig {
            // Git Fusion creates a missing global file with defaults, so absent = all defaults.
            global: IniFile::parse(&global_path, global.as_deref().unwrap_or(""))?,
            repo: repo.map(|text| IniFile::parse(&repo_path, &text)).transpose()?,
            lightweight: repo2.map(|text| IniFile::parse(&repo2_path, &text)).transpose()?,
        },
        usermap: parse_usermap(&usermap_path, usermap.as_deref().unwrap_or("")),
        users: parse_users("p4 users", &users)?,
        case_insensitive: case.is_some_and(|c| c != "sensitive"),
        protections,
        pusher: perforce.pusher(ws.fusion_remote.credential()).map(String::from),
    })
}

/// Returns where protections come from: the saved table when `protects_file` is set, the
/// server when `client_host` is, else nowhere (and why).
fn protections(
    perforce: &Perforce,
    p4: &P4,
    client_address: Option<String>,
) -> Result<Source, FactsError> {
    if let Some(path) = &perforce.protects_file {
        let table = parse_protects(&path.display().to_string(), &read(path)?)?;
        let groups = match &perforce.groups_file {
            Some(path) => parse_groups(&path.display().to_string(), &read(path)?)?,
            None => Groups::default(),
        };
        return Ok(Source::Offline {
            table,
            groups,
            client_host: perforce.client_host.clone(),
            fusion_host: perforce.fusion_host.clone(),
        });
    }
    Ok(match &perforce.client_host {
        Some(host) => Source::Online {
            reader: Arc::new(p4.clone()),
            client_host: host.clone(),
            fusion_host: perforce.fusion_host.clone().or(client_address),
        },
        None => Source::Unavailable(
            "not checked: set [perforce] client_host (the address Git Fusion sees gfbridge connect from; reading protections online needs super access) or protects_file and groups_file (offline)"
                .into(),
        ),
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
        .map_err(|e| FactsError::Read { path: path.to_path_buf(), source: e })
}

impl ReadProtects for P4 {
    fn protects(&self, user: &str, host: &str) -> Result<String, String> {
        P4::protects(self, user, host).map_err(|e| e.to_string())
    }
}
