//! The JSON Schema of each JSON document gfbridge prints, derived from the very types that
//! build the documents, so a schema cannot drift from the output. `gfbridge schema <document>`
//! prints one; the same text ships in docs/schema/ (a test keeps them equal).

use schemars::{schema_for, Schema};

use super::audit::AuditDocument;
use super::authors::AuthorsDocument;
use super::check::CheckDocument;
use super::cutover::CutoverDocument;
use super::report::ReportDocument;
use super::status::StatusDocument;
use super::sync::SyncDocument;

/// A JSON document gfbridge prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Document {
    /// `sync --format json`.
    Sync,
    /// `report --format json`.
    Report,
    /// `check --format json`.
    Check,
    /// `status --format json`.
    Status,
    /// `authors --format json`.
    Authors,
    /// `audit --format json`.
    Audit,
    /// `cutover --format json`.
    Cutover,
    /// The record a cutover keeps (`cutover-<workspace>-<time>.json`).
    CutoverRecord,
    /// `discover --format json`.
    Discover,
}

impl Document {
    /// Every document, in the order the docs list them.
    pub const ALL: [Document; 9] = [
        Document::Sync,
        Document::Report,
        Document::Check,
        Document::Status,
        Document::Authors,
        Document::Audit,
        Document::Cutover,
        Document::CutoverRecord,
        Document::Discover,
    ];

    /// Returns the document's name, as in `docs/schema/<name>.schema.json`.
    pub fn name(self) -> &'static str {
        match self {
            Document::Sync => "sync",
            Document::Report => "report",
            Document::Check => "check",
            Document::Status => "status",
            Document::Authors => "authors",
            Document::Audit => "audit",
            Document::Cutover => "cutover",
            Document::CutoverRecord => "cutover-record",
            Document::Discover => "discover",
        }
    }

    /// Returns the document's JSON Schema (draft 2020-12).
    pub fn schema(self) -> Schema {
        let mut schema = match self {
            Document::Sync => schema_for!(SyncDocument<'static>),
            Document::Report => schema_for!(ReportDocument<'static>),
            Document::Check => schema_for!(CheckDocument<'static>),
            Document::Status => schema_for!(StatusDocument<'static>),
            Document::Authors => schema_for!(AuthorsDocument<'static>),
            Document::Audit => schema_for!(AuditDocument<'static>),
            Document::Cutover => schema_for!(CutoverDocument<'static>),
            Document::CutoverRecord => schema_for!(crate::cutover::Record),
            Document::Discover => schema_for!(super::discover::DiscoverDocument<'static>),
        };
        let title = match self {
            Document::CutoverRecord => "gfbridge cutover record".to_string(),
            _ => format!("gfbridge {} --format json", self.name()),
        };
        schema.insert("title".into(), title.into());
        schema
    }
}
