//! `gfbridge init`: write the annotated example config, never over an existing file.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{print, Context};
use crate::config::example;
use crate::errors::Shown;
use crate::exit::Exit;

/// Arguments of `gfbridge init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write it (`-` for stdout) [default: the --config path, else ./gfbridge.toml]
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,
}

/// Writes the example config and returns the exit code.
pub fn run(args: &InitArgs, ctx: &Context) -> Result<Exit, Shown> {
    let path = args.output.clone().unwrap_or_else(|| ctx.config_path.clone());
    if path.as_os_str() == "-" {
        print(example::text());
        return Ok(Exit::Ok);
    }
    let created = std::fs::OpenOptions::new().write(true).create_new(true).open(&path);
    let written = created.and_then(|mut file| file.write_all(example::text().as_bytes()));
    match written {
        Ok(()) => {
            eprintln!("gfbridge: wrote {}; edit the [[workspace]] entries, then run `gfbridge sync --dry-run`", path.display());
            Ok(Exit::Ok)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Shown::usage(format!(
            "{} already exists; not overwritten (remove it, or pass -o PATH)",
            path.display()
        ))),
        Err(e) => Err(Shown::failure(format!("cannot write {}: {e}", path.display()))),
    }
}
