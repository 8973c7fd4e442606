//! `gfbridge status` (docs/output.md): what the last runs left behind, from local state only.

use serde_json::Value;

use crate::harness::*;

fn status(w: &World) -> (i32, Value) {
    let run = w.gfbridge(&["status", "--format", "json"]);
    (run.code, run.json())
}

#[test]
fn after_a_clean_run_status_reports_it_and_exits_0() {
    let w = World::new();
    w.seed("main");
    assert_eq!(w.sync().code, 0);
    let (code, doc) = status(&w);
    assert_eq!(code, 0, "{doc:#}");
    let ws = &doc["workspaces"][0];
    assert_eq!(ws["name"], "widgets");
    assert_eq!(ws["last_run"]["exit_code"], 0, "{doc:#}");
    assert!(ws["last_run"]["run"].is_string() && ws["last_run"]["time"].is_string(), "{doc:#}");
    assert_eq!(ws["last_success"], ws["last_run"]["time"]);
    assert_eq!(
        (ws["attention"].clone(), ws["pushes"].clone()),
        (Value::Array(vec![]), Value::Array(vec![]))
    );
    assert_eq!((ws["running"].as_bool(), ws["state"].as_str()), (Some(false), Some("ok")));
    assert!(doc["version"].is_string() && doc["generated_at"].is_string());
}

#[test]
fn a_workspace_that_never_ran_has_no_last_run_and_exits_0() {
    let w = World::new();
    let (code, doc) = status(&w);
    assert_eq!(code, 0, "{doc:#}");
    let ws = &doc["workspaces"][0];
    assert!(ws["last_run"].is_null() && ws["last_success"].is_null(), "{doc:#}");
    assert_eq!(ws["state"], "missing");
    assert!(!w.path(".gfbridge").exists(), "status creates nothing");
}

#[test]
fn a_branch_needing_attention_is_listed_since_the_first_run_that_reported_it() {
    let w = World::new();
    w.diverge("main");
    let (_, first) = status(&w);
    let since = first["workspaces"][0]["last_run"]["time"].clone();
    assert_eq!(w.sync().code, 3);
    let (code, doc) = status(&w);
    assert_eq!(code, 3, "{doc:#}");
    let ws = &doc["workspaces"][0];
    assert_eq!(ws["attention"][0]["ref"], "main", "{doc:#}");
    assert_eq!(ws["attention"][0]["action"], "diverged");
    assert_eq!(ws["attention"][0]["since"], since, "the first run that reported it");
    let text = w.gfbridge(&["status"]);
    assert_eq!(text.code, 3);
    assert!(text.stdout.contains("needs attention: main diverged since"), "{text}");
}

#[test]
fn a_pending_push_is_listed_without_changing_the_exit_code_and_a_failed_one_exits_3() {
    let w = World::new();
    w.seed("main");
    w.write_config(&format!("[bridge]\npush_confirm_timeout = \"0s\"\n{}", w.default_config()));
    w.set_fusion_settings(r#"{"background": "hang"}"#);
    w.commit(Gitlab, "main", "slow copy");
    assert_eq!(w.sync().code, 0);
    let (code, doc) = status(&w);
    assert_eq!(code, 0, "a pending push alone: {doc:#}");
    let push = &doc["workspaces"][0]["pushes"][0];
    assert_eq!((push["ref"].as_str(), push["state"].as_str()), (Some("main"), Some("pending")));
    assert!(push["push_id"].is_u64() && push["since"].is_string(), "{push}");
    // Git Fusion reports the copy failed: the next run learns it, and status says so.
    let keys = w.remote(Fusion).join("fusion/keys.json");
    let mut map: serde_json::Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(&keys).expect("keys")).expect("json");
    let id = push["push_id"].as_u64().unwrap();
    let key = format!("git-fusion-status-acme_0xS_widgets-{id}");
    map.insert(key, format!("Push {id} failed: disk full").into());
    std::fs::write(&keys, Value::Object(map).to_string()).expect("keys");
    assert_eq!(w.sync().code, 3);
    let (code, doc) = status(&w);
    assert_eq!(code, 3, "{doc:#}");
    assert_eq!(doc["workspaces"][0]["pushes"][0]["state"], "failed");
    assert!(doc["workspaces"][0]["pushes"][0]["message"].as_str().unwrap().contains("disk full"));
}

#[test]
fn lost_state_after_runs_exits_3() {
    let w = World::new();
    w.seed("main");
    assert_eq!(w.sync().code, 0);
    std::fs::remove_dir_all(w.path(".gfbridge/widgets/cache.git")).expect("remove cache");
    let (code, doc) = status(&w);
    assert_eq!(code, 3, "{doc:#}");
    assert_eq!(doc["workspaces"][0]["state"], "missing");
}

#[test]
fn a_run_holding_the_lock_shows_as_running() {
    let w = World::new();
    w.seed("main");
    assert_eq!(w.sync().code, 0);
    let _lock = hold_lock(&w, "widgets");
    assert_eq!(status(&w).1["workspaces"][0]["running"], true);
}

#[test]
fn status_makes_no_network_call() {
    let w = World::new();
    w.diverge("main");
    let strip = |mut doc: Value| {
        doc["generated_at"] = Value::Null;
        doc
    };
    let before = strip(status(&w).1);
    // The remotes move away and git would fail loudly: the answer is the same.
    std::fs::rename(w.remote(Gitlab), w.path("gitlab-away.git")).expect("move");
    std::fs::rename(w.remote(Fusion), w.path("fusion-away.git")).expect("move");
    w.wrap_git("echo \"git called: $*\" >&2; exit 97");
    let (code, after) = status(&w);
    assert_eq!(code, 3);
    assert_eq!(strip(after), before);
}

#[test]
fn the_run_record_keeps_the_newest_runs_and_stays_bounded() {
    use gfbridge::state::runs::{append, load, RunRecord};
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("runs.jsonl");
    for i in 0..2100u32 {
        let record = RunRecord {
            run: format!("run-{i}"),
            time: "2026-11-29T21:00:00Z".into(),
            exit_code: 0,
            attention: Vec::new(),
            error: None,
        };
        append(&path, &record).expect("append");
    }
    let runs = load(&path).expect("load");
    assert!(runs.len() <= 2000 && runs.len() >= 1000, "bounded: {}", runs.len());
    assert_eq!(runs.last().map(|r| r.run.as_str()), Some("run-2099"), "the newest is kept");
}
