//! `gfbridge completions <shell>` and `gfbridge man [-o DIR]`: generated from the same clap
//! definition as the parser, so they can never disagree with it.

use std::path::PathBuf;

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Cli;
use crate::errors::Shown;
use crate::exit::Exit;

/// Arguments of `gfbridge completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    shell: Shell,
}

/// Arguments of `gfbridge man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command (gfbridge.1, gfbridge-sync.1, ...) into DIR instead of
    /// printing the main page
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
}

/// Prints the completion script for the shell.
pub fn completions(args: &CompletionsArgs) -> Result<Exit, Shown> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "gfbridge", &mut script);
    super::print(&String::from_utf8_lossy(&script));
    Ok(Exit::Ok)
}

/// Prints the main man page, or writes every page into a directory.
pub fn man(args: &ManArgs) -> Result<Exit, Shown> {
    let command = Cli::command();
    let Some(dir) = &args.output else {
        let mut page = Vec::new();
        clap_mangen::Man::new(command)
            .render(&mut page)
            .map_err(|e| Shown::failure(format!("cannot render the man page: {e}")))?;
        super::print(&String::from_utf8_lossy(&page));
        return Ok(Exit::Ok);
    };
    std::fs::create_dir_all(dir)
        .and_then(|()| clap_mangen::generate_to(command, dir))
        .map_err(|e| Shown::failure(format!("cannot write man pages to {}: {e}", dir.display())))?;
    Ok(Exit::Ok)
}
