//! The workspace's LFS keys (docs/lfs.md): `lfs`, `gitlab_lfs_url`, `fusion_lfs_url`, checked
//! when the config loads so that an error names the key.

use super::LfsMode;
use super::{ConfigError, Validator};
use crate::git::redact;

impl Validator<'_> {
    /// Returns the LFS mode and the two explicit endpoints of workspace `index`.
    pub(super) fn lfs(
        &self,
        index: usize,
        mode: Option<String>,
        gitlab_url: Option<String>,
        fusion_url: Option<String>,
    ) -> Result<(LfsMode, Option<String>, Option<String>), ConfigError> {
        let at = |key: &str| format!("workspace[{index}].{key}");
        let mode = match mode.as_deref().unwrap_or("auto") {
            "auto" => LfsMode::Auto,
            "off" => LfsMode::Off,
            other => {
                let msg = format!("`{other}` is not one of \"auto\", \"off\"");
                return Err(self.invalid(at("lfs"), msg));
            }
        };
        let url = |value: Option<String>, key: &str| -> Result<Option<String>, ConfigError> {
            let Some(url) = value else { return Ok(None) };
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                let msg = format!(
                    "`{}` must be an http(s) URL: the Git LFS API's base, ending in /info/lfs",
                    redact(&url)
                );
                return Err(self.invalid(at(key), msg));
            }
            if redact(&url) != url {
                let msg = format!(
                    "`{}` holds a password; secrets never go in URLs: use [credentials.gitlab] or [credentials.fusion] (docs/configuration.md)",
                    redact(&url)
                );
                return Err(self.invalid(at(key), msg));
            }
            Ok(Some(url))
        };
        Ok((mode, url(gitlab_url, "gitlab_lfs_url")?, url(fusion_url, "fusion_lfs_url")?))
    }
}
