//! GitLab's REST API, as far as gfbridge needs it: a project's protected-branch rules
//! (reference gitlab.md A.1). Blocking: runs happen on their own threads.
//!
//! Owns HTTP, pagination, retries and error wording; must never print or log the token.

pub mod mirrors;

use std::time::Duration;

use reqwest::blocking::{Client, Response};
use reqwest::StatusCode;
use secrecy::{ExposeSecret, SecretString};

use crate::config::Gitlab;

/// Attempts per request: the first try and retries of 429, 5xx and transport failures.
const ATTEMPTS: u32 = 3;
/// The longest wait between attempts, whatever `Retry-After` says.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Pages followed at most (100 rules each): a loop guard, far above real projects.
const MAX_PAGES: u32 = 100;

/// A project of a group, as `GET /groups/:id/projects` lists it (the fields gfbridge uses).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct GroupProject {
    /// The project's id.
    pub id: u64,
    /// `group/subgroup/project`.
    pub path_with_namespace: String,
    /// The project's git address over HTTP(S).
    pub http_url_to_repo: String,
}

/// One protected-branch rule (`name` may be a wildcard such as `release/*`).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct ProtectedRule {
    /// The branch name or wildcard.
    pub name: String,
    /// GitLab accepts force pushes to branches matching this rule.
    #[serde(default)]
    pub allow_force_push: bool,
    /// GitLab refuses pushes touching CODEOWNERS paths without approval (Premium).
    #[serde(default)]
    pub code_owner_approval_required: bool,
}

/// One branch as GitLab's branches API shows it to the token's user.
#[derive(Clone, Debug, serde::Deserialize)]
struct BranchInfo {
    /// Whether the token's user may push to it (protection rules applied).
    #[serde(default)]
    can_push: bool,
}

/// The error returned by the GitLab client; it names the endpoint, never the token.
#[derive(Debug, thiserror::Error)]
pub enum GitlabError {
    /// The token's environment variable is not set.
    #[error("environment variable {0} (gitlab.token_env) is not set: export a token that may read protected branches")]
    NoToken(String),
    /// GitLab answered with an error status.
    #[error("GET {endpoint} answered {status}{}: {hint}", said.as_deref().map(|m| format!(" ({m})")).unwrap_or_default())]
    Status {
        /// The API path asked.
        endpoint: String,
        /// The HTTP status.
        status: StatusCode,
        /// GitLab's own `message`, when its error body has one.
        said: Option<String>,
        /// What the status usually means for gfbridge.
        hint: String,
    },
    /// No answer (connection refused, timeout, TLS).
    #[error("GET {endpoint} failed: {reason}")]
    Transport { endpoint: String, reason: String },
    /// The answer was not GitLab's documented shape.
    #[error("GET {endpoint}: unexpected answer: {source}")]
    Body {
        endpoint: String,
        /// reqwest's error, its URL taken out (the endpoint names the call).
        source: reqwest::Error,
    },
    /// The list went on past the most pages gfbridge reads.
    #[error("GET {endpoint}: unexpected answer: more than {MAX_PAGES} pages")]
    TooManyPages { endpoint: String },
}

/// A client for one GitLab instance.
pub struct GitlabClient {
    api: String,
    token: SecretString,
    http: Client,
}

impl std::fmt::Debug for GitlabClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "GitlabClient({}, token=not shown)", self.api)
    }
}

impl GitlabClient {
    /// Returns a client for `settings`, with the token from its environment variable and
    /// `timeout` on every request.
    pub fn new(settings: &Gitlab, timeout: Duration) -> Result<GitlabClient, GitlabError> {
        let token = crate::config::secret(&settings.token_env)
            .ok_or_else(|| GitlabError::NoToken(settings.token_env.clone()))?;
        // A redirect to another host (a moved instance, a proxy) must not carry the token
        // there: reqwest keeps custom headers such as PRIVATE-TOKEN across hosts.
        let same_host = reqwest::redirect::Policy::custom(|attempt| {
            let first = attempt.previous().first().cloned();
            let origin = |u: &reqwest::Url| {
                (
                    u.scheme().to_string(),
                    u.host_str().map(str::to_string),
                    u.port_or_known_default(),
                )
            };
            match first {
                Some(first) if origin(&first) != origin(attempt.url()) => attempt.stop(),
                _ if attempt.previous().len() >= 10 => attempt.stop(),
                _ => attempt.follow(),
            }
        });
        crate::tls::install_provider();
        let http = Client::builder()
            .redirect(same_host)
            .timeout(timeout)
            .user_agent(concat!("gfbridge/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| GitlabError::Transport {
                endpoint: settings.url.clone(),
                reason: e.to_string(),
            })?;
        Ok(GitlabClient {
            api: format!("{}/api/v4", settings.url.trim_end_matches('/')),
            token,
            http,
        })
    }

    /// Returns every protected-branch rule of `project` (path with namespace, or id).
    pub fn protected_branches(&self, project: &str) -> Result<Vec<ProtectedRule>, GitlabError> {
        let endpoint = format!("/projects/{}/protected_branches", encode_project(project));
        self.every_page(&endpoint, "per_page=100")
    }

    /// Returns every project of `group` (path or id) and of its subgroups, all pages.
    pub fn group_projects(&self, group: &str) -> Result<Vec<GroupProject>, GitlabError> {
        let endpoint = format!("/groups/{}/projects", encode_project(group));
        self.every_page(&endpoint, "include_subgroups=true&per_page=100")
    }

    /// Returns the items of every page of `endpoint` asked with `query`, following GitLab's
    /// `Link` (else `x-next-page`) on the configured base only.
    fn every_page<T: serde::de::DeserializeOwned>(
        &self,
        endpoint: &str,
        query: &str,
    ) -> Result<Vec<T>, GitlabError> {
        let mut items = Vec::new();
        let mut url = format!("{}{endpoint}?{query}", self.api);
        for _ in 0..MAX_PAGES {
            let response = self.get(endpoint, &url)?;
            let next = next_page(&response, &url, &self.api);
            let page: Vec<T> = response.json().map_err(|e| GitlabError::Body {
                endpoint: endpoint.to_string(),
                source: e.without_url(),
            })?;
            items.extend(page);
            match next {
                Some(next) => url = next,
                None => return Ok(items),
            }
        }
        Err(GitlabError::TooManyPages { endpoint: endpoint.to_string() })
    }

    /// Returns whether the token's user may push to `branch` of `project` (the branches API's
    /// `can_push`), or `None` when GitLab has no such branch.
    pub fn can_push(&self, project: &str, branch: &str) -> Result<Option<bool>, GitlabError> {
        let endpoint = format!(
            "/projects/{}/repository/branches/{}",
            encode_project(project),
            encode_project(branch)
        );
        let url = format!("{}{endpoint}", self.api);
        match self.get(&endpoint, &url) {
            Ok(response) => {
                let info: BranchInfo = response.json().map_err(|e| GitlabError::Body {
                    endpoint: endpoint.clone(),
                    source: e.without_url(),
                })?;
                Ok(Some(info.can_push))
            }
            Err(GitlabError::Status { status: StatusCode::NOT_FOUND, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// GETs `url`, retrying what GitLab documents as transient.
    fn get(&self, endpoint: &str, url: &str) -> Result<Response, GitlabError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let last = attempt == ATTEMPTS;
            let sent =
                self.http.get(url).header("PRIVATE-TOKEN", self.token.expose_secret()).send();
            let response = match sent {
                Ok(response) => response,
                Err(e) if !last => {
                    tracing::warn!(
                        endpoint,
                        "GitLab API request failed, retrying: {}",
                        without_url(&e)
                    );
                    std::thread::sleep(backoff(attempt, None));
                    continue;
                }
                Err(e) => {
                    return Err(GitlabError::Transport {
                        endpoint: endpoint.into(),
                        reason: without_url(&e),
                    });
                }
            };
            let status = response.status();
            if status.is_success() {
                return Ok(response);
            }
            let transient = status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
            if transient && !last {
                let wait = backoff(attempt, retry_after(&response));
                tracing::warn!(endpoint, %status, "GitLab API busy, retrying in {wait:?}");
                std::thread::sleep(wait);
                continue;
            }
            let location =
                response.headers().get("location").and_then(|v| v.to_str().ok()).map(String::from);
            let said = said(response);
            return Err(GitlabError::Status {
                endpoint: endpoint.into(),
                status,
                said,
                hint: hint(status, location.as_deref()),
            });
        }
    }
}

/// Returns how long to wait before attempt `attempt + 1`: `Retry-After` when GitLab sent
/// one, else 1 s, 2 s, 4 s…; never more than `MAX_BACKOFF`.
fn backoff(attempt: u32, retry_after: Option<Duration>) -> Duration {
    retry_after.unwrap_or_else(|| Duration::from_secs(1 << (attempt - 1).min(5))).min(MAX_BACKOFF)
}

fn retry_after(response: &Response) -> Option<Duration> {
    let value = response.headers().get("retry-after")?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Returns the next page's URL from `Link: <…>; rel="next"`, else from `x-next-page`.
///
/// GitLab builds `Link` URLs on its configured external host, which need not be the address
/// gfbridge reaches it at; the token goes only to `api` (the configured base), so the link's
/// path and query are kept and its origin replaced.
fn next_page(response: &Response, current: &str, api: &str) -> Option<String> {
    let headers = response.headers();
    if let Some(link) = headers.get("link").and_then(|v| v.to_str().ok()) {
        let next = link.split(',').find(|part| part.contains("rel=\"next\"")).and_then(|part| {
            let start = part.find('<')? + 1;
            let end = part.find('>')?;
            Some(part[start..end].to_string())
        });
        return next.and_then(|url| on_base(&url, api));
    }
    let next = headers.get("x-next-page")?.to_str().ok()?.trim();
    if next.is_empty() {
        return None;
    }
    // The same query (include_subgroups, per_page…), on the next page.
    let (base, query) = current.split_once('?').unwrap_or((current, ""));
    let mut params: Vec<&str> =
        query.split('&').filter(|p| !p.is_empty() && !p.starts_with("page=")).collect();
    let page = format!("page={next}");
    params.push(&page);
    Some(format!("{base}?{}", params.join("&")))
}

/// Returns `url` with its scheme, host and port replaced by those of `api`, or `None` when
/// it is not a URL of a GitLab API (no `/api/v4/` in its path).
fn on_base(url: &str, api: &str) -> Option<String> {
    let path = &url[url.find("/api/v4/")? + "/api/v4".len()..];
    Some(format!("{api}{path}"))
}

fn hint(status: StatusCode, location: Option<&str>) -> String {
    match status.as_u16() {
        301 | 302 | 303 | 307 | 308 => format!(
            "GitLab redirected to another host ({}); the token is not sent there: set [gitlab] url to the address GitLab answers at",
            location.and_then(|l| reqwest::Url::parse(l).ok()).and_then(|u| u.host_str().map(str::to_string)).unwrap_or_else(|| "unknown".into())
        ),
        401 => "the token is missing, expired or invalid".into(),
        403 => "the token may not read the project's protected branches (current GitLab needs read access to the repository, Reporter or above, with the read_api scope; older versions need Maintainer)".into(),
        404 => "no such project, or the token cannot see it (check gitlab_project)".into(),
        429 => "rate limited, and still after retries".into(),
        _ => "GitLab could not answer".into(),
    }
}

/// Returns GitLab's own words from an error body: `{"message": "..."}` (a string, or an
/// object of field → messages), or `{"error": "..."}`; at most 300 characters.
fn said(response: Response) -> Option<String> {
    let body: serde_json::Value = response.json().ok()?;
    let text = match body.get("message").or_else(|| body.get("error"))? {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    Some(text.chars().take(300).collect())
}

/// Returns what went wrong, with every cause (a refused certificate, a reset connection):
/// reqwest's own message only says a request failed. Its errors quote the URL; ours carry no
/// credentials, but keep messages short.
fn without_url(error: &reqwest::Error) -> String {
    let mut text = crate::errors::chain(error);
    if let Some(url) = error.url() {
        text = text.replace(&format!(" for url ({url})"), "").replace(url.as_str(), "");
    }
    if error.is_timeout() {
        text = format!("timed out ({text})");
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Returns a project path URL-encoded as GitLab wants it (`acme/widgets` → `acme%2Fwidgets`).
pub fn encode_project(project: &str) -> String {
    project
        .bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
