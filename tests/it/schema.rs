//! The JSON Schemas in docs/schema/: the very ones `gfbridge schema` derives from the output
//! types, and every JSON document the tests see is held to them (`Run::json`).

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde_json::{json, Value};

use crate::harness::*;

const DOCUMENTS: [&str; 9] = [
    "sync",
    "report",
    "check",
    "status",
    "authors",
    "audit",
    "cutover",
    "cutover-record",
    "discover",
];

fn published(document: &str) -> String {
    let path = repo_root().join(format!("docs/schema/{document}.schema.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The compiled schemas, once per test binary.
fn compiled() -> &'static Mutex<(boon::Schemas, HashMap<&'static str, boon::SchemaIndex>)> {
    static SCHEMAS: OnceLock<Mutex<(boon::Schemas, HashMap<&'static str, boon::SchemaIndex>)>> =
        OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        let mut index = HashMap::new();
        for document in DOCUMENTS {
            let url = format!("file:///docs/schema/{document}.schema.json");
            let value: Value = serde_json::from_str(&published(document)).expect("schema is JSON");
            compiler.add_resource(&url, value).expect("schema loads");
            let at = compiler
                .compile(&url, &mut schemas)
                .unwrap_or_else(|e| panic!("{document}.schema.json does not compile: {e}"));
            index.insert(document, at);
        }
        Mutex::new((schemas, index))
    })
}

/// Returns why `value` does not follow docs/schema/<document>.schema.json, if it does not.
fn violation(document: &str, value: &Value) -> Option<String> {
    let guard = compiled().lock().unwrap_or_else(|p| p.into_inner());
    let (schemas, index) = &*guard;
    let at = *index.get(document).unwrap_or_else(|| panic!("no schema for {document}"));
    schemas.validate(value, at).err().map(|e| format!("{e:#}"))
}

/// Fails the test when `value` does not follow the published schema of `document`.
pub fn assert_valid(document: &str, value: &Value) {
    if let Some(why) = violation(document, value) {
        panic!(
            "{document} --format json breaks docs/schema/{document}.schema.json: {why}\n{value:#}"
        );
    }
}

#[test]
fn the_published_schemas_are_the_ones_gfbridge_derives_from_its_output_types() {
    let w = World::new();
    for document in DOCUMENTS {
        let run = w.gfbridge(&["schema", document]);
        assert_eq!(run.code, 0, "{run}");
        assert!(
            run.stdout == published(document),
            "docs/schema/{document}.schema.json is stale: write `gfbridge schema {document}` to it"
        );
        let schema: Value = serde_json::from_str(&run.stdout).expect("json");
        assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    }
}

#[test]
fn schema_of_an_unknown_document_is_refused_naming_the_documents() {
    let w = World::new();
    let run = w.gfbridge(&["schema", "journal"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("sync") && run.stderr.contains("authors"), "{run}");
    assert!(run.stdout.is_empty(), "{run}");
}

#[test]
fn a_real_sync_document_follows_its_schema_and_a_bent_one_does_not() {
    let w = World::new();
    w.seed("main");
    w.commit(Gitlab, "main", "one");
    let run = w.sync_json();
    assert_eq!(run.code, 0, "{run}");
    let mut doc = run.json();
    assert_eq!(violation("sync", &doc), None);
    // The checks bite: an unknown action, a short commit id and a missing field are each caught.
    doc["workspaces"][0]["branches"][0]["action"] = json!("force_push");
    assert!(violation("sync", &doc).is_some_and(|why| why.contains("action")), "action");
    let mut doc = run.json();
    doc["workspaces"][0]["branches"][0]["gitlab"] = json!("abc123");
    assert!(violation("sync", &doc).is_some(), "a short id");
    let mut doc = run.json();
    doc.as_object_mut().expect("object").remove("exit_code");
    assert!(violation("sync", &doc).is_some_and(|why| why.contains("exit_code")), "required");
}
