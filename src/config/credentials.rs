//! `[credentials.gitlab]` and `[credentials.fusion]` (docs/configuration.md): checked when the config
//! loads, so a missing user name or two password sources is an error naming the key. The
//! secret itself is read only when git asks for it (`crate::credentials`).

use super::raw::RawCredential;
use super::{ConfigError, Validator};
use crate::credentials::{Credential, PasswordSource};

impl Validator<'_> {
    /// Returns the credential of one `[credentials.<side>]` table; `table` names it.
    pub(super) fn credential(
        &self,
        raw: RawCredential,
        table: &str,
    ) -> Result<Credential, ConfigError> {
        let key = |k: &str| format!("{table}.{k}");
        let username = raw.username.filter(|u| !u.trim().is_empty()).ok_or_else(|| {
            self.invalid(key("username"), "is required (`oauth2` for a GitLab access token)")
        })?;
        let password = match (raw.password_env, raw.password_file) {
            (Some(var), None) if !var.trim().is_empty() => PasswordSource::Env(var),
            (None, Some(file)) if !file.trim().is_empty() => PasswordSource::File(self.relative(&file)),
            (Some(_), Some(_)) => {
                return Err(self.invalid(table, "give password_env or password_file, not both"))
            }
            _ => {
                return Err(self.invalid(
                    table,
                    "needs password_env (an environment variable's name) or password_file (a file holding the secret)",
                ))
            }
        };
        Ok(Credential { username, password })
    }
}
