//! The config file exactly as TOML spells it (docs/configuration.md), before validation.
//!
//! Owns the key names and the rejection of unknown keys; must not judge values (that is
//! `validate`'s job), so every message about a value can name its key.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    #[serde(default)]
    pub bridge: RawBridge,
    pub gitlab: Option<RawGitlab>,
    pub perforce: Option<RawPerforce>,
    #[serde(default)]
    pub serve: RawServe,
    #[serde(default)]
    pub credentials: RawCredentials,
    #[serde(default)]
    pub authors: BTreeMap<String, String>,
    #[serde(default)]
    pub workspace: Vec<RawWorkspace>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBridge {
    pub cache_dir: Option<String>,
    pub git: Option<String>,
    pub unknown_user: Option<String>,
    pub on_unmapped_author: Option<String>,
    pub push_confirm_timeout: Option<String>,
    pub accept_unchecked: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGitlab {
    pub url: Option<String>,
    pub token_env: Option<String>,
    pub webhook_secret_env: Option<String>,
    pub bridge_username: Option<String>,
    pub timeout: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawServe {
    pub dashboard_token_env: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPerforce {
    pub p4: Option<String>,
    pub port: Option<String>,
    pub user: Option<String>,
    pub users_file: Option<String>,
    pub usermap_file: Option<String>,
    pub global_config_file: Option<String>,
    pub case_handling: Option<String>,
    pub protects_file: Option<String>,
    pub groups_file: Option<String>,
    pub client_host: Option<String>,
    pub fusion_host: Option<String>,
    pub pusher: Option<String>,
    pub fusion_url: Option<String>,
}

impl RawPerforce {
    /// Returns these settings with every key not given here taken from `base` (docs/configuration.md: a
    /// workspace's `[workspace.perforce]` over the global `[perforce]`).
    pub fn over(self, base: &RawPerforce) -> RawPerforce {
        let base = base.clone();
        RawPerforce {
            p4: self.p4.or(base.p4),
            port: self.port.or(base.port),
            user: self.user.or(base.user),
            users_file: self.users_file.or(base.users_file),
            usermap_file: self.usermap_file.or(base.usermap_file),
            global_config_file: self.global_config_file.or(base.global_config_file),
            case_handling: self.case_handling.or(base.case_handling),
            protects_file: self.protects_file.or(base.protects_file),
            groups_file: self.groups_file.or(base.groups_file),
            client_host: self.client_host.or(base.client_host),
            fusion_host: self.fusion_host.or(base.fusion_host),
            pusher: self.pusher.or(base.pusher),
            fusion_url: self.fusion_url.or(base.fusion_url),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWorkspace {
    pub name: Option<String>,
    pub gitlab_project: Option<ProjectRef>,
    pub gitlab_remote: Option<String>,
    pub fusion_remote: Option<String>,
    pub fusion_repo: Option<String>,
    pub branches: Option<Vec<String>>,
    pub protected_from: Option<String>,
    pub interval: Option<String>,
    pub repo_config_file: Option<String>,
    pub repo_config2_file: Option<String>,
    pub tags: Option<Vec<String>>,
    pub perforce: Option<RawPerforce>,
    pub lfs: Option<String>,
    pub gitlab_lfs_url: Option<String>,
    pub fusion_lfs_url: Option<String>,
    pub accept_unchecked: Option<Vec<String>>,
}

/// `gitlab_project`: a path with namespace, or the numeric id, written as a string or as a
/// TOML integer (docs/operations.md: the id keeps matching after a rename).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum ProjectRef {
    Id(u64),
    Path(String),
}

impl ProjectRef {
    /// Returns the reference as the API and webhooks compare it.
    pub fn into_string(self) -> String {
        match self {
            ProjectRef::Id(id) => id.to_string(),
            ProjectRef::Path(path) => path,
        }
    }
}

/// `[credentials.gitlab]` and `[credentials.fusion]` (docs/configuration.md).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCredentials {
    pub gitlab: Option<RawCredential>,
    pub fusion: Option<RawCredential>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCredential {
    pub username: Option<String>,
    pub password_env: Option<String>,
    pub password_file: Option<String>,
}
