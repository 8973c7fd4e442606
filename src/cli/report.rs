//! `gfbridge report`: the cutover-readiness report in text, Markdown, JSON or HTML.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{print, with_workspaces, Context, WorkspaceSelection};
use crate::exit::Exit;
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
pub fn run(args: &ReportArgs, ctx: &Context) -> Exit {
    with_workspaces(ctx, &args.selection.workspaces, |config, selected| {
        let report = report::build(config, &selected, &|m| ctx.progress(m));
        let text = render(&report, args.format, args.output.is_none());
        match &args.output {
            None => print(&text),
            Some(path) => {
                if let Err(e) = write_atomically(path, &text) {
                    eprintln!("gfbridge: cannot write the report to {}: {e}", path.display());
                    return Exit::Failure;
                }
            }
        }
        report.exit()
    })
}

fn render(report: &Report, format: Format, to_stdout: bool) -> String {
    match format {
        Format::Text => {
            let colour = to_stdout
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            report::text::render(report, colour)
        }
        Format::Markdown => report::markdown::render(report),
        Format::Json => format!("{:#}\n", report::json::render(report)),
        Format::Html => report::html::render(report),
    }
}

/// Writes `text` to a temporary file beside `path`, then renames it: a reader never sees half
/// a report, and a failed run leaves the previous report in place.
fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.gfbridge-tmp"));
    std::fs::write(&temp, text)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}
