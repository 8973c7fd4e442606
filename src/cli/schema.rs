//! `gfbridge schema <document>`: prints the JSON Schema of a JSON document gfbridge prints, for
//! people who feed the report or the status into their own dashboards.

use clap::builder::PossibleValuesParser;
use clap::Args;

use super::print;
use crate::errors::Shown;
use crate::exit::Exit;
use crate::output::{self, schema::Document};

/// Arguments of `gfbridge schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The document: what `sync`, `report`, `check`, `status`, `authors`, `audit`, `cutover` or
    /// `discover` print with `--format json`, or `cutover-record`, the record a cutover keeps
    #[arg(value_parser = PossibleValuesParser::new(Document::ALL.map(Document::name)))]
    document: String,
}

/// Prints the schema.
pub fn run(args: &SchemaArgs) -> Result<Exit, Shown> {
    let document = Document::ALL
        .into_iter()
        .find(|d| d.name() == args.document)
        .expect("clap accepts only the documents' names");
    print(&output::json_text(&document.schema()));
    Ok(Exit::Ok)
}
