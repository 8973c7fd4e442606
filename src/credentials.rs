//! Credentials for git over HTTPS (docs/configuration.md): where each side's secret comes from, the type
//! that holds it, and gfbridge's own `GIT_ASKPASS` answer.
//!
//! A secret is read only when git asks for it, by gfbridge itself run as git's askpass
//! program: it is never on a command line, in a URL given to git, in an environment variable
//! gfbridge sets, or in any output. Must not decide anything about remotes.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};

/// Set (to `1`) in the environment of the git commands gfbridge runs with a credential: the
/// gfbridge executable, started by git as `GIT_ASKPASS`, then answers git's prompt.
pub const ASKPASS_MARK: &str = "GFBRIDGE_ASKPASS";
const ASKPASS_USERNAME: &str = "GFBRIDGE_ASKPASS_USERNAME";
const ASKPASS_PASSWORD_ENV: &str = "GFBRIDGE_ASKPASS_PASSWORD_ENV";
const ASKPASS_PASSWORD_FILE: &str = "GFBRIDGE_ASKPASS_PASSWORD_FILE";

/// Where a password comes from: an environment variable's name, or a file's path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasswordSource {
    /// `password_env`.
    Env(String),
    /// `password_file` (read each time; a trailing newline is dropped).
    File(PathBuf),
}

/// One side's `[credentials.*]` table. Holds where the secret is, never the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    /// The user name git sends (`oauth2` for a GitLab token, the Perforce user for Git Fusion).
    pub username: String,
    /// Where the password or token is.
    pub password: PasswordSource,
}

impl Credential {
    /// Returns the environment that makes gfbridge answer git's prompts for this credential.
    pub fn askpass_env(&self) -> Vec<(&'static str, OsString)> {
        let (name, value) = match &self.password {
            PasswordSource::Env(var) => (ASKPASS_PASSWORD_ENV, OsString::from(var)),
            PasswordSource::File(path) => (ASKPASS_PASSWORD_FILE, path.clone().into_os_string()),
        };
        vec![
            (ASKPASS_MARK, "1".into()),
            (ASKPASS_USERNAME, OsString::from(&self.username)),
            (name, value),
        ]
    }
}

/// Returns the secret from `source`; the error names the variable or file, never the value.
pub fn read_password(source: &PasswordSource) -> Result<SecretString, String> {
    let text = match source {
        PasswordSource::Env(var) => std::env::var(var)
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("environment variable {var} is unset or empty"))?,
        PasswordSource::File(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
    };
    Ok(SecretString::from(text.trim_end_matches(['\r', '\n']).to_string()))
}

/// When gfbridge runs as git's askpass program (the mark is set), answers `prompt` (git's
/// "Username for '…': " or "Password for '…': ") on stdout and returns the exit status;
/// otherwise returns `None`.
pub fn answer_askpass(prompt: Option<&str>) -> Option<u8> {
    if std::env::var_os(ASKPASS_MARK).is_none_or(|v| v != "1") {
        return None;
    }
    let prompt = prompt.unwrap_or("");
    let answer = if prompt.starts_with("Username") {
        std::env::var(ASKPASS_USERNAME).map(SecretString::from).map_err(|_| "no user name".into())
    } else if prompt.starts_with("Password") {
        let source =
            match (std::env::var(ASKPASS_PASSWORD_ENV), std::env::var_os(ASKPASS_PASSWORD_FILE)) {
                (Ok(var), _) => PasswordSource::Env(var),
                (_, Some(path)) => PasswordSource::File(path.into()),
                _ => return Some(1),
            };
        read_password(&source)
    } else {
        Err(format!("unexpected prompt `{prompt}`"))
    };
    match answer {
        Ok(secret) => {
            let mut out = std::io::stdout().lock();
            let written = out
                .write_all(secret.expose_secret().as_bytes())
                .and_then(|()| out.write_all(b"\n"));
            Some(if written.is_ok() { 0 } else { 1 })
        }
        Err(why) => {
            eprintln!("gfbridge (askpass): {why}");
            Some(1)
        }
    }
}
