//! The Git LFS batch API (https://github.com/git-lfs/git-lfs/blob/main/docs/api/batch.md) as
//! both sides' servers speak it, Git Fusion's quirks included (docs/git-fusion.md): its batch
//! always answers 200 with errors per object, ignores `operation` (a missing object gets an
//! `upload` action, a present one `size` and `download`), needs `Content-Type:
//! application/octet-stream` on upload, and has no `verify` action.
//!
//! Owns requests and their answers; must not decide which objects a push needs. The secret
//! goes only to the endpoint's own host, as HTTP basic authentication (reqwest drops it on a
//! redirect to another host), and never into an error.

use std::collections::BTreeMap;
use std::io::Read;
use std::time::Duration;

use super::pointer::Pointer;
use crate::credentials::{read_password, Credential};
use crate::git::redact;
use secrecy::{ExposeSecret, SecretString};

const MEDIA_TYPE: &str = "application/vnd.git-lfs+json";
/// How many objects one batch request names (the `git lfs` client's own default).
const BATCH_SIZE: usize = 100;

/// An LFS server: the URL requests are built on (`…/info/lfs`), and its credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The batch API's base URL, without a trailing `/`.
    pub url: String,
    /// The user name and where the secret is, when the server needs one.
    pub credential: Option<Credential>,
}

/// The error of one request to an LFS server; it names the server (without secrets), what
/// was asked and what the server or the network said.
#[derive(Debug, thiserror::Error)]
#[error("LFS server {server}: {action}: {reason}")]
pub struct LfsError {
    /// The server's URL, redacted.
    pub server: String,
    /// What was being done (`batch download`, `upload 1a2b3c4`).
    pub action: String,
    /// What went wrong.
    pub reason: String,
}

/// What a server said of one object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectState {
    /// The server has it and says where to get it.
    Present(Option<Action>),
    /// The server lacks it; for an upload request, where to send it (if anywhere).
    Absent(Option<UploadActions>),
    /// The server reported an error for the object other than "not found".
    Failed {
        /// The HTTP-like code it gave.
        code: u16,
        /// Its message.
        message: String,
    },
}

/// Where to send an object, and where to confirm it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadActions {
    /// The `upload` action.
    pub upload: Action,
    /// The `verify` action, if the server wants one.
    pub verify: Option<Action>,
}

/// One action of a batch answer: a URL and the headers to send with it.
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Action {
    /// Where.
    pub href: String,
    /// Headers the server asks for (they may hold a short-lived token: never printed).
    #[serde(default)]
    pub header: BTreeMap<String, String>,
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Action({})", redact(&self.href))
    }
}

/// Which batch operation to ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Read-only: which objects are there, and where to get them.
    Download,
    /// Where to send objects the server lacks.
    Upload,
}

#[derive(serde::Deserialize)]
struct BatchAnswer {
    objects: Vec<AnsweredObject>,
}

#[derive(serde::Deserialize)]
struct AnsweredObject {
    oid: String,
    #[serde(default)]
    actions: BTreeMap<String, Action>,
    error: Option<ObjectError>,
}

#[derive(serde::Deserialize)]
struct ObjectError {
    code: u16,
    #[serde(default)]
    message: String,
}

/// A client for one LFS server.
pub struct Client {
    http: reqwest::blocking::Client,
    endpoint: Endpoint,
    password: Option<SecretString>,
}

impl Client {
    /// Returns a client for `endpoint`; reads its secret now, so a missing one is an error
    /// before any transfer.
    pub fn new(endpoint: &Endpoint) -> Result<Client, LfsError> {
        let fail = |action: &str, reason: String| LfsError {
            server: redact(&endpoint.url),
            action: action.into(),
            reason,
        };
        let password = match &endpoint.credential {
            Some(c) => Some(read_password(&c.password).map_err(|e| fail("credentials", e))?),
            None => None,
        };
        // No overall timeout: a large object takes as long as it takes; a dead peer is caught
        // by the connect timeout and TCP keepalive.
        crate::tls::install_provider();
        let http = reqwest::blocking::Client::builder()
            .timeout(None)
            .connect_timeout(Duration::from_secs(30))
            .tcp_keepalive(Duration::from_secs(30))
            .user_agent(concat!("gfbridge/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| fail("start", e.to_string()))?;
        Ok(Client { http, endpoint: endpoint.clone(), password })
    }

    /// Returns the server's URL, safe to print.
    pub fn server(&self) -> String {
        redact(&self.endpoint.url)
    }

    fn error(&self, action: impl Into<String>, reason: impl Into<String>) -> LfsError {
        LfsError { server: self.server(), action: action.into(), reason: reason.into() }
    }

    /// Adds the credential to a request for the endpoint's own host, unless the action's
    /// headers already authorize it.
    fn authorize(
        &self,
        request: reqwest::blocking::RequestBuilder,
        url: &str,
        header: &BTreeMap<String, String>,
    ) -> reqwest::blocking::RequestBuilder {
        let own_host = host_of(url).is_some() && host_of(url) == host_of(&self.endpoint.url);
        let authorized = header.keys().any(|k| k.eq_ignore_ascii_case("authorization"));
        let mut request = request;
        for (name, value) in header {
            request = request.header(name, value);
        }
        match (&self.endpoint.credential, &self.password) {
            (Some(c), Some(p)) if own_host && !authorized => {
                request.basic_auth(&c.username, Some(p.expose_secret()))
            }
            _ => request,
        }
    }

    /// Asks the server about `objects` and returns what it said of each, in order.
    pub fn batch(
        &self,
        operation: Operation,
        objects: &[Pointer],
    ) -> Result<Vec<(Pointer, ObjectState)>, LfsError> {
        let op = match operation {
            Operation::Download => "download",
            Operation::Upload => "upload",
        };
        let mut states = Vec::with_capacity(objects.len());
        for chunk in objects.chunks(BATCH_SIZE) {
            let body = serde_json::json!({
                "operation": op,
                "transfers": ["basic"],
                "objects": chunk.iter().map(|p| serde_json::json!({"oid": p.oid, "size": p.size})).collect::<Vec<_>>(),
            });
            let url = format!("{}/objects/batch", self.endpoint.url);
            let request = self
                .http
                .post(&url)
                .header("Accept", MEDIA_TYPE)
                .header("Content-Type", MEDIA_TYPE)
                .body(body.to_string());
            let action = format!("batch {op}");
            let response = self
                .authorize(request, &url, &BTreeMap::new())
                .send()
                .map_err(|e| self.error(&action, transport(&e)))?;
            let status = response.status();
            let text = response.text().map_err(|e| self.error(&action, transport(&e)))?;
            // Some servers (giftless) answer a download batch in which no object exists with a
            // 404 for the whole request instead of one error per object.
            if status == reqwest::StatusCode::NOT_FOUND && operation == Operation::Download {
                states.extend(chunk.iter().map(|p| (*p, ObjectState::Absent(None))));
                continue;
            }
            if !status.is_success() {
                return Err(self.error(&action, answer_error(status, &text)));
            }
            let answer: BatchAnswer = serde_json::from_str(&text)
                .map_err(|e| self.error(&action, format!("not a batch answer: {e}")))?;
            let mut by_oid: BTreeMap<String, AnsweredObject> =
                answer.objects.into_iter().map(|o| (o.oid.clone(), o)).collect();
            for pointer in chunk {
                let state = match by_oid.remove(&pointer.oid.to_string()) {
                    Some(object) => classify(object),
                    None => ObjectState::Failed {
                        code: 0,
                        message: "the server's answer does not name this object".into(),
                    },
                };
                states.push((*pointer, state));
            }
        }
        Ok(states)
    }

    /// Starts downloading `pointer`'s object: returns the response once the server answered
    /// 2xx, for its body to be read (and checked) as it streams.
    pub fn open_download(
        &self,
        action: &Action,
        pointer: &Pointer,
    ) -> Result<reqwest::blocking::Response, LfsError> {
        let what = format!("download {}", pointer.oid.short());
        self.send(&what, self.http.get(&action.href), action)
    }

    /// Uploads `pointer`'s object, read from `body` (which checks it as it streams: see
    /// `verify`), per `actions`; then confirms it when the server asks for a verify call.
    pub fn upload(
        &self,
        actions: &UploadActions,
        pointer: &Pointer,
        body: impl Read + Send + 'static,
    ) -> Result<(), LfsError> {
        let what = format!("upload {}", pointer.oid.short());
        // Git Fusion takes nothing else (docs/git-fusion.md).
        let upload = &actions.upload;
        let request = self
            .http
            .put(&upload.href)
            .header("Content-Type", "application/octet-stream")
            .body(reqwest::blocking::Body::sized(body, pointer.size));
        self.send(&what, request, upload)?;
        if let Some(verify) = &actions.verify {
            let what = format!("verify {}", pointer.oid.short());
            let body = serde_json::json!({"oid": pointer.oid, "size": pointer.size});
            let request = self
                .http
                .post(&verify.href)
                .header("Accept", MEDIA_TYPE)
                .header("Content-Type", MEDIA_TYPE)
                .body(body.to_string());
            self.send(&what, request, verify)?;
        }
        Ok(())
    }

    /// Sends `request` for `action` (its headers, and the credential when it goes to the
    /// endpoint's host) and returns the response when it is 2xx.
    fn send(
        &self,
        what: &str,
        request: reqwest::blocking::RequestBuilder,
        action: &Action,
    ) -> Result<reqwest::blocking::Response, LfsError> {
        let response = self
            .authorize(request, &action.href, &action.header)
            .send()
            .map_err(|e| self.error(what, transport(&e)))?;
        if !response.status().is_success() {
            let status = response.status();
            let text = response.text().unwrap_or_default();
            return Err(self.error(what, answer_error(status, &text)));
        }
        Ok(response)
    }
}

/// Returns what an answered object means; a 404 is "absent", as the API documents it.
fn classify(object: AnsweredObject) -> ObjectState {
    let mut actions = object.actions;
    if let Some(error) = object.error {
        return match error.code {
            404 => ObjectState::Absent(None),
            code => ObjectState::Failed { code, message: error.message },
        };
    }
    if let Some(upload) = actions.remove("upload") {
        return ObjectState::Absent(Some(UploadActions {
            upload,
            verify: actions.remove("verify"),
        }));
    }
    // No action at all answers an upload request for an object the server has.
    ObjectState::Present(actions.remove("download"))
}

/// Returns the message of a failed answer: the status and the server's `message`, if any.
fn answer_error(status: reqwest::StatusCode, body: &str) -> String {
    let message = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(str::to_string))
        .unwrap_or_else(|| body.chars().take(200).collect::<String>().trim().to_string());
    if message.is_empty() {
        format!("HTTP {status}")
    } else {
        format!("HTTP {status}: {message}")
    }
}

/// Returns a transport error's text with any URL's password removed.
fn transport(error: &reqwest::Error) -> String {
    redact(&crate::errors::chain(error))
}

fn host_of(url: &str) -> Option<(String, Option<u16>)> {
    let url = reqwest::Url::parse(url).ok()?;
    Some((url.host_str()?.to_string(), url.port_or_known_default()))
}

/// Told the length of each chunk a transfer moves (for a progress bar).
pub type Meter = std::sync::Arc<dyn Fn(u64) + Send + Sync>;
