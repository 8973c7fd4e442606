//! Remote URLs: where a workspace's two repositories live, and how to print them safely.
//!
//! Owns the rule that credentials inside a URL (`user:password@`) never reach output, logs
//! or errors. Must not open connections.

use std::fmt;
use std::path::Path;

use crate::credentials::Credential;

/// A remote as git understands it: a URL, an scp-like address or a local path, and the
/// credential git uses for it over HTTPS, if one is configured.
#[derive(Clone, PartialEq, Eq)]
pub struct RemoteUrl {
    url: String,
    credential: Option<Credential>,
}

impl RemoteUrl {
    /// Returns the remote for `text`, with a relative local path resolved against `base`.
    pub fn parse(text: &str, base: &Path) -> Result<RemoteUrl, String> {
        if text.starts_with('-') {
            return Err(format!(
                "`{}` starts with `-`, which git would read as an option",
                redact(text)
            ));
        }
        if text.chars().any(char::is_control) {
            return Err("a remote must not contain control characters".into());
        }
        if redact(text) != text {
            return Err(format!(
                "`{}` holds a password; secrets never go in URLs: put it in [credentials.gitlab] or [credentials.fusion] as password_env or password_file (docs/configuration.md)",
                redact(text)
            ));
        }
        let url = if is_local_path(text) && Path::new(text).is_relative() {
            base.join(text).to_string_lossy().into_owned()
        } else {
            text.to_string()
        };
        Ok(RemoteUrl { url, credential: None })
    }

    /// Returns this remote with the credential git uses for it.
    pub fn with_credential(self, credential: Option<Credential>) -> RemoteUrl {
        RemoteUrl { credential, ..self }
    }

    /// Returns the credential for this remote, if one is configured.
    pub fn credential(&self) -> Option<&Credential> {
        self.credential.as_ref()
    }

    /// Returns the URL to hand to git (credentials included; never print it).
    pub fn as_git_arg(&self) -> &str {
        &self.url
    }
}

fn is_local_path(text: &str) -> bool {
    if text.contains("://") {
        return false;
    }
    // git's rule: a colon before the first slash makes it an scp-like `host:path`.
    match (text.find(':'), text.find('/')) {
        (Some(colon), Some(slash)) => colon > slash,
        (Some(_), None) => false,
        _ => true,
    }
}

impl fmt::Display for RemoteUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.url))
    }
}

impl fmt::Debug for RemoteUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RemoteUrl({})", redact(&self.url))
    }
}

/// Returns `text` with the password of every `scheme://user:password@` replaced by `***`.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("://") {
        let (head, tail) = rest.split_at(start + 3);
        out.push_str(head);
        let authority_end = tail.find(['/', ' ', '\'', '"', '\n']).unwrap_or(tail.len());
        let authority = &tail[..authority_end];
        match authority.rfind('@') {
            Some(at) => {
                let userinfo = &authority[..at];
                let user = userinfo.split(':').next().unwrap_or("");
                out.push_str(user);
                if userinfo.contains(':') {
                    out.push_str(":***");
                }
                out.push_str(&authority[at..]);
            }
            None => out.push_str(authority),
        }
        rest = &tail[authority_end..];
    }
    out.push_str(rest);
    out
}
