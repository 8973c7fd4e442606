//! `gfbridge discover`: pairs Git Fusion's repos with a GitLab group's projects
//! (`crate::discover`) and prints the new workspaces (`output::discover`), or appends them to
//! the config with `--write`. Exit 0, 2 for missing settings or a bad `--map`, 1 when a list
//! cannot be read or the config would not load (then nothing is written).

use clap::{Args, ValueEnum};

use super::{print, Context};
use crate::discover::{discover, write, MapRule};
use crate::errors::Shown;
use crate::exit::Exit;
use crate::output;

/// Arguments of `gfbridge discover`.
#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// The GitLab group (path or id) whose projects, subgroups included, are paired
    #[arg(long, value_name = "GROUP")]
    gitlab_group: String,
    /// Git Fusion's address; each workspace's fusion_remote is URL/<repo name> (default:
    /// [perforce] fusion_url)
    #[arg(long, value_name = "URL")]
    fusion_url: Option<String>,
    /// Pair Git Fusion names matching FUSION with the GitLab path GITLAB, each with one `*`
    /// standing for the same text ('games/*=studio/games/*'); the first matching rule wins,
    /// names no rule matches pair with the same path (can be repeated)
    #[arg(long = "map", value_name = "FUSION=GITLAB")]
    maps: Vec<MapRule>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Toml)]
    format: Format,
    /// Append the new workspaces to the config file (comments and existing workspaces are
    /// kept as they are; nothing is written unless the result loads)
    #[arg(long)]
    write: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Toml,
    Json,
}

/// Runs `discover` and returns the exit code.
pub fn run(args: &DiscoverArgs, ctx: &Context) -> Result<Exit, Shown> {
    let config = ctx.load_config()?;
    let found = discover(&config, &args.gitlab_group, args.fusion_url.as_deref(), &args.maps)
        .map_err(|e| Shown::from(&e))?;
    match args.format {
        Format::Toml => print(&output::discover::toml(&found)),
        Format::Json => print(&output::json_text(&output::discover::json(&found))),
    }
    if args.write && !found.workspaces.is_empty() {
        write(&config.path, &found.workspaces).map_err(|e| Shown::from(&e))?;
        ctx.progress.say(&format!(
            "{} workspace(s) appended to {}",
            found.workspaces.len(),
            config.path.display()
        ));
    }
    Ok(Exit::Ok)
}
