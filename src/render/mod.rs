//! Printing results: human text and the JSON of docs/report.md. Pure functions from results to
//! strings; they never run git or decide anything.

pub mod json;
pub mod text;
