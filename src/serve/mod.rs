//! `gfbridge serve` (docs/operations.md): the long-running service. Starts the workers and the poller,
//! queues every workspace once at start-up, answers HTTP until SIGTERM or SIGINT, then lets
//! the runs in progress finish and returns.
//!
//! Must not hold sync logic: a run here is exactly `sync_workspace`, as from the CLI, under the
//! same per-workspace lock, so a cron job and the service never collide.

pub mod dedupe;
pub mod health;
pub mod http;
pub mod metrics;
pub mod scheduler;
pub mod warm;
pub mod webhook;
mod workers;

use std::sync::Arc;

use crate::config::{secret, Config};
use health::Health;
use metrics::Metrics;
use scheduler::Scheduler;
use workers::Shared;

/// The webhook secret's variable when `[gitlab]` does not name one.
const DEFAULT_SECRET_ENV: &str = "GFBRIDGE_WEBHOOK_SECRET";

/// How the service is started.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// `host:port` to listen on.
    pub listen: String,
    /// How many workspaces may sync at once.
    pub jobs: usize,
}

/// Why the service could not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The webhook secret's environment variable is unset or empty.
    #[error(
        "the webhook secret is not set: environment variable {0} is unset or empty (it is named \
         by [gitlab] webhook_secret_env); export it before starting `gfbridge serve`"
    )]
    NoSecret(String),
    /// `[serve] dashboard_token_env` names a variable that is unset or empty.
    #[error(
        "the status page's token is not set: environment variable {0} is unset or empty (it is \
         named by [serve] dashboard_token_env); export it, or remove the key to serve the page \
         without a token"
    )]
    NoDashboardToken(String),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source} (choose another --listen address)")]
    Listen {
        /// The `--listen` value.
        addr: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The runtime or the HTTP server failed.
    #[error("service: {what}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// What the OS said.
        source: std::io::Error,
    },
}

impl crate::errors::Classified for ServeError {
    fn exit(&self) -> crate::exit::Exit {
        match self {
            ServeError::NoSecret(_) | ServeError::NoDashboardToken(_) => crate::exit::Exit::Usage,
            ServeError::Listen { .. } | ServeError::Io { .. } => crate::exit::Exit::Failure,
        }
    }
}

/// Runs the service until SIGTERM or SIGINT; returns once the runs in progress have ended.
pub fn serve(config: Config, opts: &ServeOptions) -> Result<(), ServeError> {
    let secret_env = config.gitlab.as_ref().map_or(DEFAULT_SECRET_ENV, |g| &g.webhook_secret_env);
    let dashboard_token = match &config.dashboard_token_env {
        Some(name) => Some(secret(name).ok_or_else(|| ServeError::NoDashboardToken(name.clone()))?),
        None => None,
    };
    let secret = secret(secret_env).ok_or_else(|| ServeError::NoSecret(secret_env.to_string()))?;
    // Four routes whose handlers only queue: one thread serves them; runs have their own.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| ServeError::Io { what: "cannot start the HTTP runtime", source })?;
    let listen_error =
        |e: std::io::Error| ServeError::Listen { addr: opts.listen.clone(), source: e };
    let listener =
        runtime.block_on(tokio::net::TcpListener::bind(&opts.listen)).map_err(listen_error)?;
    let addr = listener.local_addr().map_err(listen_error)?;

    let config = Arc::new(config);
    let names = config.workspaces.iter().map(|w| w.name.as_str());
    let scheduler = Arc::new(Scheduler::new(names));
    let shared = Arc::new(Shared {
        config: Arc::clone(&config),
        scheduler,
        metrics: Arc::new(Metrics::new()),
        health: Health::default(),
        // Built once; without a token each run reports the missing variable itself.
        gitlab: config
            .gitlab
            .as_ref()
            .and_then(|g| crate::gitlab::GitlabClient::new(g, g.timeout).ok())
            .map(Arc::new),
        facts: warm::WarmFacts::default(),
    });
    let workers = workers::start_workers(&shared, opts.jobs);
    let poller = workers::start_poller(&shared);
    for ws in &config.workspaces {
        if ws.gitlab_project.is_none() {
            // Webhooks name their project; without one only the poll syncs this workspace.
            tracing::warn!(
                workspace = %ws.name,
                "no gitlab_project: GitLab webhooks cannot reach this workspace; it syncs on the poll and Perforce triggers only"
            );
        }
        shared.request(&ws.name, "startup", None);
    }
    tracing::info!(%addr, workspaces = config.workspaces.len(), jobs = opts.jobs, "listening");

    let hooks = http::Hooks::new(Arc::clone(&shared), secret, dashboard_token);
    let app = http::router(Arc::new(hooks));
    let served = runtime
        .block_on(async { axum::serve(listener, app).with_graceful_shutdown(stop_signal()).await });
    let dropped = shared.scheduler.stop();
    tracing::info!(dropped = ?dropped, "stopping: finishing the runs in progress");
    for handle in workers.into_iter().chain([poller]) {
        let _ = handle.join();
    }
    served.map_err(|source| ServeError::Io { what: "the HTTP server stopped", source })?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGTERM (systemd's stop) or SIGINT (Ctrl-C).
async fn stop_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(term) => term,
        Err(e) => {
            tracing::error!("cannot listen for SIGTERM: {e}; stopping only on Ctrl-C");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM received"),
        _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT received"),
    }
}
