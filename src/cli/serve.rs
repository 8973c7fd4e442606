//! `gfbridge serve`: the long-running service (webhooks, triggers, polling, metrics).

use clap::Args;

use super::Context;
use crate::errors::Shown;
use crate::exit::Exit;
use crate::serve::{serve, ServeOptions};

/// Arguments of `gfbridge serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address for POST /hooks/gitlab, POST /hooks/trigger/<workspace>, GET /healthz and
    /// GET /metrics (port 0 picks a free port; the log line `listening` shows it)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: String,
    /// How many workspaces may sync at the same time
    #[arg(long, value_name = "N", default_value_t = 2,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    jobs: u16,
}

/// Runs the service until SIGTERM; exit 0 after the runs in progress have finished.
pub fn run(args: &ServeArgs, ctx: &Context) -> Result<Exit, Shown> {
    let config = ctx.load_config()?;
    let opts = ServeOptions { listen: args.listen.clone(), jobs: usize::from(args.jobs) };
    serve(config, &opts).map_err(|e| {
        // The service's log is where its operators look; stderr is where a terminal does.
        tracing::error!("{e}");
        Shown::from(&e)
    })?;
    Ok(Exit::Ok)
}
