//! One `[[workspace]]` table (docs/configuration.md, docs/lfs.md): its keys checked and turned into a
//! `Workspace`, each error naming `workspace[<index>].<key>`.

use super::raw::{self, RawWorkspace};
use super::{
    duration, illegal_repo_name_part, valid_workspace_name, Bounds, ConfigError, ProtectedFrom,
    Validator, Workspace,
};
use crate::config::pattern::BranchPattern;
use crate::git::RemoteUrl;
use std::collections::BTreeSet;

impl Validator<'_> {
    pub(super) fn workspace(
        &self,
        index: usize,
        raw: RawWorkspace,
        global: Option<&raw::RawPerforce>,
        bridge: &super::Bridge,
    ) -> Result<Workspace, ConfigError> {
        let at = |key: &str| format!("workspace[{index}].{key}");
        let required = |value: Option<String>, key: &str| {
            value
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| self.invalid(at(key), "is required"))
        };
        let name = required(raw.name, "name")?;
        if !valid_workspace_name(&name) {
            return Err(
                self.invalid(at("name"), format!("`{name}` must match [a-z0-9][a-z0-9._-]*"))
            );
        }
        let gitlab_remote =
            self.remote(required(raw.gitlab_remote, "gitlab_remote")?, &at("gitlab_remote"))?;
        let fusion_remote =
            self.remote(required(raw.fusion_remote, "fusion_remote")?, &at("fusion_remote"))?;
        let fusion_repo = required(raw.fusion_repo, "fusion_repo")?;
        if let Some(bad) = illegal_repo_name_part(&fusion_repo) {
            return Err(self.invalid(
                at("fusion_repo"),
                format!("Git Fusion repo names may not contain `{bad}`"),
            ));
        }
        let branches = self.patterns(raw.branches.unwrap_or_default(), &at("branches"))?;
        if branches.is_empty() {
            return Err(
                self.invalid(at("branches"), "is required and must list at least one branch")
            );
        }
        let protected_from = match raw.protected_from.as_deref().unwrap_or("gitlab") {
            "config" => ProtectedFrom::Config,
            "gitlab" => ProtectedFrom::Gitlab,
            other => {
                let msg = format!("`{other}` is not one of \"gitlab\", \"config\"");
                return Err(self.invalid(at("protected_from"), msg));
            }
        };
        let tags = self.patterns(raw.tags.unwrap_or_default(), &at("tags"))?;
        let (lfs, gitlab_lfs_url, fusion_lfs_url) =
            self.lfs(index, raw.lfs, raw.gitlab_lfs_url, raw.fusion_lfs_url)?;
        let interval = duration::parse(raw.interval.as_deref().unwrap_or("60s"), Bounds::INTERVAL)
            .map_err(|m| self.invalid(at("interval"), m))?;
        let perforce = match (raw.perforce, global) {
            (Some(own), base) => {
                Some(self.perforce(own.over(&base.cloned().unwrap_or_default()), &at("perforce"))?)
            }
            (None, Some(base)) => Some(self.perforce(base.clone(), "perforce")?),
            (None, None) => None,
        };
        // A workspace's own list replaces the bridge-wide one.
        let accept_unchecked = match raw.accept_unchecked {
            Some(names) => self.check_ids(names, &at("accept_unchecked"))?,
            None => bridge.accept_unchecked.clone(),
        };
        Ok(Workspace {
            accept_unchecked,
            name,
            gitlab_project: raw.gitlab_project.map(raw::ProjectRef::into_string),
            gitlab_remote,
            fusion_remote,
            fusion_repo,
            branches,
            protected_from,
            interval,
            repo_config_file: raw.repo_config_file.map(|f| self.relative(&f)),
            repo_config2_file: raw.repo_config2_file.map(|f| self.relative(&f)),
            perforce,
            tags,
            lfs,
            gitlab_lfs_url,
            fusion_lfs_url,
        })
    }

    fn remote(&self, url: String, key: &str) -> Result<RemoteUrl, ConfigError> {
        RemoteUrl::parse(&url, &self.dir).map_err(|m| self.invalid(key, m))
    }

    fn patterns(&self, texts: Vec<String>, key: &str) -> Result<Vec<BranchPattern>, ConfigError> {
        let mut seen = BTreeSet::new();
        let mut patterns = Vec::new();
        for text in texts {
            if !seen.insert(text.clone()) {
                return Err(self.invalid(key, format!("`{text}` is listed twice")));
            }
            patterns.push(BranchPattern::new(&text).map_err(|m| self.invalid(key, m))?);
        }
        Ok(patterns)
    }
}
