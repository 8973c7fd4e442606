//! The service's HTTP endpoints (docs/operations.md): GitLab webhooks, the trigger for Perforce,
//! `/healthz`, `/metrics`, and the status page `/` with its JSON `/api/status` (local state
//! only, behind an optional bearer token). Each answer is given at once; runs happen on the
//! workers.
//!
//! Must not run syncs or decide what a webhook means (that is `webhook::route`).

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use secrecy::{ExposeSecret, SecretString};
use subtle::ConstantTimeEq;

use super::dedupe::SeenKeys;
use super::scheduler::Requested;
use super::webhook::{route, Change, Delivery, NO_PROJECT};
use super::workers::Shared;
use crate::sync::Announced;

/// Bodies over this size are refused with 413: GitLab's own request limit (25 MiB,
/// `REQUEST_BODY_SIZE_LIMIT`). A push event carries up to 20 commits, each with every file
/// it added, changed or removed, so a large push is large; refusing it loses the event and
/// counts toward GitLab disabling the hook (GitLab's own behaviour, docs/operations.md).
pub const MAX_BODY: usize = 25 * 1024 * 1024;

/// How much of an oversize body is read before answering 413.
const DRAIN_LIMIT: usize = MAX_BODY + 1024 * 1024;

/// How many `Idempotency-Key`s are remembered.
const SEEN_KEYS: usize = 4096;

/// What the handlers share.
pub struct Hooks {
    shared: Arc<Shared>,
    secret: SecretString,
    dashboard_token: Option<SecretString>,
    seen: Mutex<SeenKeys>,
}

type Answer = (StatusCode, String);

impl Hooks {
    /// Returns the handlers' state; `secret` is the webhook secret both hook endpoints require,
    /// `dashboard_token` the bearer token the status page requires, when one is set.
    pub fn new(
        shared: Arc<Shared>,
        secret: SecretString,
        dashboard_token: Option<SecretString>,
    ) -> Hooks {
        Hooks { shared, secret, dashboard_token, seen: Mutex::new(SeenKeys::new(SEEN_KEYS)) }
    }

    /// Returns true when the status page may be shown: no token is set, or `Authorization`
    /// appears once and is `Bearer <token>`, compared in constant time.
    fn may_see_status(&self, headers: &HeaderMap) -> bool {
        let Some(token) = &self.dashboard_token else { return true };
        let mut values = headers.get_all(header::AUTHORIZATION).iter();
        match (values.next(), values.next()) {
            (Some(given), None) => {
                let given = given.as_bytes().strip_prefix(b"Bearer ").unwrap_or_default();
                bool::from(given.ct_eq(token.expose_secret().as_bytes()))
            }
            _ => false,
        }
    }

    /// Returns every workspace's status, read from local files.
    fn statuses(&self) -> Vec<crate::status::WorkspaceStatus> {
        let config = &self.shared.config;
        config.workspaces.iter().map(|ws| crate::status::workspace(config, ws)).collect()
    }

    /// Returns true when header `name` appears exactly once and holds the secret, compared in
    /// constant time. A repeated header is refused rather than one copy picked: a proxy that
    /// appends its own value must not decide which one counts.
    fn authorized(&self, headers: &HeaderMap, name: &str) -> bool {
        let mut values = headers.get_all(name).iter();
        match (values.next(), values.next()) {
            (Some(given), None) => {
                bool::from(given.as_bytes().ct_eq(self.secret.expose_secret().as_bytes()))
            }
            _ => false,
        }
    }

    /// Queues a run of each workspace and returns the answer.
    fn queue(
        &self,
        workspaces: &[String],
        source: &'static str,
        announced: Option<&Announced>,
    ) -> Answer {
        for name in workspaces {
            let requested = self.shared.request(name, source, announced);
            if requested == Requested::Stopping {
                return (StatusCode::SERVICE_UNAVAILABLE, "gfbridge is shutting down\n".into());
            }
            tracing::info!(workspace = %name, source, coalesced = requested == Requested::Coalesced, "sync requested");
        }
        (StatusCode::ACCEPTED, format!("sync queued: {}\n", workspaces.join(", ")))
    }

    async fn gitlab(&self, headers: HeaderMap, body: Body) -> Answer {
        if !self.authorized(&headers, "x-gitlab-token") {
            return (StatusCode::UNAUTHORIZED, "missing or wrong X-Gitlab-Token\n".into());
        }
        // A body is read past the limit (up to DRAIN_LIMIT, only once the secret matched) so
        // the sender gets its 413 instead of a connection reset mid-upload.
        let too_large = (StatusCode::PAYLOAD_TOO_LARGE, "body over 25 MiB\n".to_string());
        let body = match axum::body::to_bytes(body, DRAIN_LIMIT).await {
            Ok(body) if body.len() <= MAX_BODY => body,
            _ => return too_large,
        };
        let event = headers.get("x-gitlab-event").and_then(|v| v.to_str().ok());
        let delivery = match route(&self.shared.config, event, &body) {
            Ok(delivery) => delivery,
            Err(e) => return (StatusCode::BAD_REQUEST, format!("{e}\n")),
        };
        match delivery {
            Delivery::Ignore(why) if why == NO_PROJECT => {
                // A renamed project stops matching by path: say so where operators look.
                tracing::info!(reason = why, "webhook ignored (if the project was renamed, set gitlab_project to its numeric id, which never changes)");
                (StatusCode::OK, format!("ignored: {why}\n"))
            }
            Delivery::Ignore(why) => {
                tracing::debug!(reason = why, "webhook ignored");
                (StatusCode::OK, format!("ignored: {why}\n"))
            }
            Delivery::Sync { workspaces, branch, change, tip } => {
                if !self.first_delivery(&headers) {
                    return (StatusCode::OK, "ignored: repeated delivery\n".into());
                }
                tracing::info!(branch = %branch, change = change.as_str(), "push webhook");
                // A deleted branch has nothing to fetch.
                let announced = (change != Change::Deleted).then_some(Announced { branch, tip });
                self.queue(&workspaces, "webhook", announced.as_ref())
            }
            Delivery::SyncTag { workspaces, tag } => {
                if !self.first_delivery(&headers) {
                    return (StatusCode::OK, "ignored: repeated delivery\n".into());
                }
                tracing::info!(tag = %tag, "tag push webhook");
                self.queue(&workspaces, "webhook", None)
            }
        }
    }

    /// Returns false for a delivery whose `Idempotency-Key` was seen before.
    fn first_delivery(&self, headers: &HeaderMap) -> bool {
        let Some(key) = headers.get("idempotency-key").and_then(|v| v.to_str().ok()) else {
            return true;
        };
        let mut seen = self.seen.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let first = seen.first_time(key);
        if !first {
            // Said at info: an operator who pressed "Resend" in GitLab should see why nothing ran.
            tracing::info!(
                idempotency_key = key,
                "repeated delivery acknowledged without a run (GitLab's \"Resend\" reuses the key; the poll catches up anyway)"
            );
        }
        first
    }

    fn trigger(&self, headers: &HeaderMap, raw_workspace: &str) -> Answer {
        // The secret is checked before anything in the request is read, the path included.
        if !self.authorized(headers, "x-gfbridge-token") {
            return (StatusCode::UNAUTHORIZED, "missing or wrong X-Gfbridge-Token\n".into());
        }
        let workspace = percent_decode(raw_workspace).unwrap_or_default();
        if self.shared.config.workspace(&workspace).is_none() {
            return (StatusCode::NOT_FOUND, format!("no workspace `{workspace}` in the config\n"));
        }
        // Something was submitted: Git Fusion's config or usermap may be new.
        self.shared.facts.forget(&workspace);
        self.queue(&[workspace], "trigger", None)
    }

    /// Returns 200 while every workspace keeps completing runs, else 503 naming those that
    /// do not.
    fn health(&self) -> Answer {
        let workspaces: Vec<(&str, std::time::Duration)> =
            self.shared.config.workspaces.iter().map(|w| (w.name.as_str(), w.interval)).collect();
        match self.shared.health.verdict(&workspaces) {
            Ok(()) => (StatusCode::OK, "ok\n".into()),
            Err(why) => (StatusCode::SERVICE_UNAVAILABLE, format!("unhealthy: {why}\n")),
        }
    }
}

/// Returns `text` with `%XX` escapes decoded, or `None` when that is not valid UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Returns the service's routes.
pub fn router(hooks: Arc<Hooks>) -> Router {
    Router::new()
        .route("/hooks/gitlab", post(gitlab_hook))
        .route("/hooks/trigger/{workspace}", post(trigger_hook))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .route("/", get(status_page))
        .route("/api/status", get(status_json))
        .with_state(hooks)
}

async fn gitlab_hook(State(hooks): State<Arc<Hooks>>, headers: HeaderMap, body: Body) -> Response {
    let answer = hooks.gitlab(headers, body).await;
    hooks.shared.metrics.answered("gitlab", answer.0.as_u16());
    answer.into_response()
}

async fn trigger_hook(State(hooks): State<Arc<Hooks>>, uri: Uri, headers: HeaderMap) -> Response {
    // The raw path, not axum's Path extractor: that answers 400 for an undecodable name
    // before the secret could be checked.
    let raw = uri.path().strip_prefix("/hooks/trigger/").unwrap_or_default();
    let answer = hooks.trigger(&headers, raw);
    hooks.shared.metrics.answered("trigger", answer.0.as_u16());
    answer.into_response()
}

async fn healthz(State(hooks): State<Arc<Hooks>>) -> Response {
    hooks.health().into_response()
}

async fn metrics(State(hooks): State<Arc<Hooks>>) -> Response {
    let load = hooks.shared.scheduler.load();
    hooks.shared.metrics.load(load.running, load.queued);
    let content_type =
        HeaderValue::from_static("application/openmetrics-text; version=1.0.0; charset=utf-8");
    ([(header::CONTENT_TYPE, content_type)], hooks.shared.metrics.encode()).into_response()
}

/// The answer to a request for the status page without the token it needs.
fn unauthorized() -> Response {
    let challenge = HeaderValue::from_static("Bearer realm=\"gfbridge\"");
    (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, challenge)], "unauthorized\n")
        .into_response()
}

async fn status_page(State(hooks): State<Arc<Hooks>>, headers: HeaderMap) -> Response {
    if !hooks.may_see_status(&headers) {
        return unauthorized();
    }
    let now = crate::state::journal::now_rfc3339();
    let page = crate::output::page::render(&hooks.statuses(), &now);
    let content_type = HeaderValue::from_static("text/html; charset=utf-8");
    ([(header::CONTENT_TYPE, content_type)], page).into_response()
}

async fn status_json(State(hooks): State<Arc<Hooks>>, headers: HeaderMap) -> Response {
    if !hooks.may_see_status(&headers) {
        return unauthorized();
    }
    let statuses = hooks.statuses();
    let text = crate::output::json_text(&crate::output::status::json(&statuses));
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], text).into_response()
}
