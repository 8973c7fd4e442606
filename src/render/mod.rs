//! Printing results: human text and the JSON of SPEC §6. Pure functions from results to
//! strings; they never run git or decide anything.

pub mod json;
pub mod text;
