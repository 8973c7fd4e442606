//! `gfbridge cutover` (docs/cutover.md): one checked, recorded step per workspace, and a retired
//! workspace left alone by sync, status and check until `--undo`.

use std::path::{Path, PathBuf};

use serde_json::Value;
use sha2::Digest;

use crate::harness::*;

/// A workspace that is READY: main and release/1.0 on both sides, a commit by Jane synced to
/// Git Fusion, the checks a test world cannot make accepted.
fn ready_world() -> World {
    let w = World::new();
    w.write_config(&format!("{}{}", w.default_config(), crate::report::ACCEPT_ALL_SKIPS));
    w.seed("main");
    w.seed("release/1.0");
    w.commit(Gitlab, "main", "work before the cutover");
    assert_eq!(w.sync().code, 0);
    w
}

fn records(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.expect("entry").path()).collect())
        .unwrap_or_default();
    found.retain(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("cutover-")));
    found.sort();
    found
}

fn retired_file(w: &World) -> PathBuf {
    w.path(".gfbridge/widgets/retired.json")
}

#[test]
fn without_execute_a_cutover_says_it_would_succeed_and_writes_nothing() {
    let w = ready_world();
    let out = w.path("records");
    std::fs::create_dir(&out).expect("dir");
    let run = w.gfbridge(&["cutover", "-w", "widgets", "-o", "records"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("a cutover would succeed"), "{run}");
    assert!(records(&out).is_empty() && !retired_file(&w).exists());
}

#[test]
fn a_workspace_that_is_not_ready_is_not_cut_over_and_nothing_is_written() {
    let w = ready_world();
    w.commit(Gitlab, "release/1.0", "ours");
    w.commit(Fusion, "release/1.0", "theirs");
    std::fs::create_dir(w.path("records")).expect("dir");
    let run =
        w.gfbridge(&["cutover", "-w", "widgets", "--execute", "-o", "records", "--format", "json"]);
    assert_eq!(run.code, 3, "{run}");
    let json = run.json();
    assert_eq!(json["possible"], false);
    assert_eq!(json["record"], Value::Null);
    let unmet: Vec<&str> = json["conditions"]
        .as_array()
        .expect("conditions")
        .iter()
        .filter(|c| c["met"] == false)
        .map(|c| c["requirement"].as_str().expect("name"))
        .collect();
    assert_eq!(unmet, ["in_sync", "ready"], "{run}");
    assert!(records(&w.path("records")).is_empty(), "no record");
    assert!(!retired_file(&w).exists(), "still in service");
    let text = w.gfbridge(&["cutover", "-w", "widgets", "--execute", "-o", "records"]);
    assert_eq!(text.code, 3, "{text}");
    assert!(
        text.stdout.contains("UNMET") && text.stdout.contains("release/1.0 (diverged)"),
        "{text}"
    );
}

#[test]
fn a_ready_cutover_records_both_sides_and_retires_the_workspace_until_undone() {
    let w = ready_world();
    std::fs::create_dir(w.path("records")).expect("dir");
    let run =
        w.gfbridge(&["cutover", "-w", "widgets", "--execute", "-o", "records", "--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    let files = records(&w.path("records"));
    assert_eq!(files.len(), 2, "{files:?}");
    let json_path =
        files.iter().find(|p| p.extension().is_some_and(|e| e == "json")).expect("json");
    let record: Value =
        serde_json::from_str(&std::fs::read_to_string(json_path).expect("record")).expect("json");
    crate::schema::assert_valid("cutover-record", &record);
    assert_eq!(run.json()["record"]["content"], record, "printed and kept are the same");
    assert_eq!(record["workspace"], "widgets");
    for b in record["branches"].as_array().expect("branches") {
        let name = b["name"].as_str().expect("name");
        let commit = b["commit"].as_str().expect("commit");
        assert_eq!(w.tip(Gitlab, name).as_deref(), Some(commit));
        assert_eq!(w.tip(Fusion, name).as_deref(), Some(commit));
        assert_eq!(b["change"], w.change_of(commit), "{name}");
    }
    let config = std::fs::read(w.path("gfbridge.toml")).expect("config");
    let digest: String = sha2::Sha256::digest(&config).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(record["config_sha256"], digest.as_str());
    assert_eq!(record["audit"]["mismatch"], 0);
    let accepted = record["accepted_unchecked"].as_array().expect("accepted");
    assert!(accepted.iter().any(|a| a["id"] == "gitlab_api"), "{record}");
    let md = files.iter().find(|p| p.extension().is_some_and(|e| e == "md")).expect("md");
    let markdown = std::fs::read_to_string(md).expect("markdown");
    let main = w.tip(Gitlab, "main").expect("main");
    assert!(
        markdown.contains(&format!("| `main` | `{main}` | {} |", w.change_of(&main))),
        "{markdown}"
    );

    // Retired: a sync touches no remote, naming it is an error, status and check show it.
    let journal = w.journal().len();
    let later = w.commit(Gitlab, "main", "after the cutover");
    let sync = w.sync();
    assert_eq!(sync.code, 0, "{sync}");
    assert_eq!(w.tip(Fusion, "main"), Some(main.clone()), "nothing mirrored");
    assert_eq!(w.journal().len(), journal, "no run happened");
    let named = w.gfbridge(&["sync", "-w", "widgets"]);
    assert_eq!(named.code, 2, "{named}");
    assert!(
        named.stderr.contains("retired") && named.stderr.contains(&json_path.display().to_string()),
        "{named}"
    );
    let status = w.gfbridge(&["status", "--format", "json"]);
    let retired = &status.json()["workspaces"][0]["retired"];
    assert_eq!(retired["record"], json_path.display().to_string().as_str(), "{status}");
    let check = w.gfbridge(&["check", "--format", "json"]);
    assert_eq!(check.code, 0, "{check}");
    assert_eq!(check.json()["workspaces"][0]["retired"]["at"], retired["at"]);
    let again = w.gfbridge(&["cutover", "-w", "widgets", "--execute", "-o", "records"]);
    assert_eq!(again.code, 2, "already retired: {again}");

    // Back in service: the next sync mirrors again; the record stays.
    let undo = w.gfbridge(&["cutover", "-w", "widgets", "--undo"]);
    assert_eq!(undo.code, 0, "{undo}");
    assert!(!retired_file(&w).exists() && json_path.exists());
    assert_eq!(w.sync().code, 0);
    assert_eq!(w.tip(Fusion, "main"), Some(later));
}

#[test]
fn a_cutover_killed_before_its_record_leaves_the_workspace_in_service() {
    let w = ready_world();
    std::fs::create_dir(w.path("records")).expect("dir");
    w.commit(Gitlab, "main", "pushed during the cutover's sync");
    w.set_fusion_settings(r#"{"pre_receive_seconds": 30}"#);
    let mut cutover = w
        .gfbridge_command(&["cutover", "-w", "widgets", "--execute", "-o", "records"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("cutover starts");
    let started = w.remote(Fusion).join("fusion/pushes-started");
    await_condition("the cutover's sync pushing", std::time::Duration::from_secs(60), || {
        started.exists()
    });
    kill9(&mut cutover);
    assert!(records(&w.path("records")).is_empty(), "no record");
    assert!(!retired_file(&w).exists(), "in service");
    w.set_fusion_settings(r#"{"pre_receive_seconds": 0}"#);
    let status = w.gfbridge(&["status", "--format", "json"]);
    assert_eq!(status.json()["workspaces"][0]["retired"], Value::Null, "{status}");
    let sync = w.gfbridge(&["sync", "-w", "widgets", "--wait", "60"]);
    assert_ne!(sync.code, 2, "a sync runs: {sync}");
}

#[test]
fn bad_input_is_refused_clearly_and_nothing_is_half_done() {
    let w = ready_world();
    let no_name = w.gfbridge(&["cutover", "--execute"]);
    assert_eq!(no_name.code, 2, "{no_name}");
    assert!(no_name.stderr.contains("--workspace"), "{no_name}");
    let unknown = w.gfbridge(&["cutover", "-w", "gadgets"]);
    assert_eq!(unknown.code, 2, "{unknown}");
    assert!(unknown.stderr.contains("gadgets"), "{unknown}");
    let undo = w.gfbridge(&["cutover", "-w", "widgets", "--undo"]);
    assert_eq!(undo.code, 2, "{undo}");
    assert!(undo.stderr.contains("in service"), "{undo}");
    let both = w.gfbridge(&["cutover", "-w", "widgets", "--execute", "--undo"]);
    assert_eq!(both.code, 2, "{both}");

    // A directory that cannot take the record is refused before anything is synced.
    let fusion = w.tip(Fusion, "main");
    w.commit(Gitlab, "main", "waiting for the cutover");
    std::fs::write(w.path("a-file"), "not a directory").expect("file");
    for dir in ["no/such/dir", "a-file"] {
        let run = w.gfbridge(&["cutover", "-w", "widgets", "--execute", "-o", dir]);
        assert_eq!(run.code, 2, "{run}");
        assert!(run.stderr.contains(dir), "names the directory: {run}");
        assert_eq!(w.tip(Fusion, "main"), fusion, "no sync ran");
        assert!(!retired_file(&w).exists());
    }
}
