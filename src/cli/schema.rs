//! `gfbridge schema <document>`: prints the JSON Schema of a JSON document gfbridge prints, for
//! people who feed the report or the status into their own dashboards.

use clap::{Args, ValueEnum};

use super::print;
use crate::errors::Shown;
use crate::exit::Exit;
use crate::output::{self, schema::Document};

/// Arguments of `gfbridge schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The document: what `sync`, `report`, `check`, `status`, `authors`, `audit` or `cutover` print with
    /// `--format json`, or `cutover-record`, the record a cutover keeps
    #[arg(value_enum)]
    document: Name,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Name {
    Sync,
    Report,
    Check,
    Status,
    Authors,
    Audit,
    Cutover,
    CutoverRecord,
    Discover,
}

/// Prints the schema.
pub fn run(args: &SchemaArgs) -> Result<Exit, Shown> {
    let document = match args.document {
        Name::Sync => Document::Sync,
        Name::Report => Document::Report,
        Name::Check => Document::Check,
        Name::Status => Document::Status,
        Name::Authors => Document::Authors,
        Name::Audit => Document::Audit,
        Name::Cutover => Document::Cutover,
        Name::CutoverRecord => Document::CutoverRecord,
        Name::Discover => Document::Discover,
    };
    print(&output::json_text(&document.schema()));
    Ok(Exit::Ok)
}
