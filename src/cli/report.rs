//! `gfbridge report`: the cutover-readiness report in text, Markdown, JSON or HTML.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{print, with_workspaces, Context, WorkspaceSelection};
use crate::errors::Shown;
use crate::exit::Exit;
use crate::output;
use crate::report::{self, Report};

/// Arguments of `gfbridge report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    selection: WorkspaceSelection,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report to PATH instead of stdout (the exit code is the same)
    #[arg(short, long, value_name = "PATH")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Markdown,
    Json,
    Html,
}

/// Runs `report`: exit 0 when every workspace is ready, 3 when one is not, 1 when a plan
/// could not be made.
pub fn run(args: &ReportArgs, ctx: &Context) -> Result<Exit, Shown> {
    with_workspaces(ctx, &args.selection.workspaces, |config, selected| {
        let report = report::build(config, &selected, &ctx.progress);
        let text = render(&report, args.format, args.output.is_none());
        match &args.output {
            None => print(&text),
            Some(path) => {
                crate::files::write_atomically(path, text.as_bytes(), None).map_err(|e| {
                    Shown::failure(format!("cannot write the report to {}: {e}", path.display()))
                })?;
            }
        }
        Ok(report.exit())
    })
}

fn render(report: &Report, format: Format, to_stdout: bool) -> String {
    match format {
        Format::Text => {
            output::report::text::render(report, to_stdout && super::colour(&std::io::stdout()))
        }
        Format::Markdown => output::report::markdown::render(report),
        Format::Json => output::json_text(&output::report::json(report)),
        Format::Html => output::report::html::render(report),
    }
}
