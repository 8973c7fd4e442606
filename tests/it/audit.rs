//! `gfbridge audit` (docs/audit.md): the owners predicted at push time held to what the Git Fusion
//! stand-in recorded — its commit objects and its changelists' owners.

use serde_json::Value;

use crate::harness::*;

/// Pushes three commits by three authors to Git Fusion through a real sync, and returns them
/// with the Perforce user each author maps to.
fn three_authors(w: &World) -> Vec<(String, &'static str)> {
    w.seed("main");
    let mut pushed = Vec::new();
    for (name, email, user) in [
        ("Jane Doe", "jane@example.com", "jdoe"),
        ("Bob Smith", "bob@corp.example.com", "bsmith"),
        ("Carol Jones", "carol@example.com", "Carol"),
    ] {
        w.set_author(name, email);
        pushed.push((w.commit(Gitlab, "main", &format!("work by {name}")), user));
    }
    let run = w.sync();
    assert_eq!(run.code, 0, "{run}");
    pushed
}

fn audit(w: &World, args: &[&str]) -> (Run, Value) {
    let mut all = vec!["audit", "--format", "json"];
    all.extend_from_slice(args);
    let run = w.gfbridge(&all);
    let json = if run.stdout.is_empty() { Value::Null } else { run.json() };
    (run, json)
}

fn commits(json: &Value) -> Vec<Value> {
    json["workspaces"][0]["commits"].as_array().expect("commits").clone()
}

fn p4_calls(w: &World) -> Vec<Value> {
    read_jsonl(&w.remote(Fusion).join("fusion/p4-calls.log"))
}

#[test]
fn every_commit_pushed_by_several_authors_matches_with_the_changes_perforce_holds_it_in() {
    let w = World::new();
    let pushed = three_authors(&w);
    let (run, json) = audit(&w, &[]);
    assert_eq!(run.code, 0, "{run}");
    let rows = commits(&json);
    assert_eq!(rows.len(), 3, "{run}");
    for ((sha1, user), row) in pushed.iter().zip(&rows) {
        assert_eq!(row["commit"], sha1.as_str());
        assert_eq!(row["branch"], "main");
        assert_eq!(row["result"], "match", "{row}");
        assert_eq!(row["owner"], *user);
        assert_eq!(row["predicted_owner"], *user);
        assert_eq!(row["change"], w.change_of(sha1), "the commit's own change, not the object's");
    }
    let summary = &json["workspaces"][0]["summary"];
    assert_eq!((summary["match"].clone(), summary["mismatch"].clone()), (3.into(), 0.into()));
    let text = w.gfbridge(&["audit"]);
    assert_eq!(text.code, 0, "{text}");
    assert!(text.stdout.contains("3 commit(s) audited: 3 match, 0 mismatch, 0 missing"), "{text}");
}

#[test]
fn a_changelist_whose_owner_was_changed_afterwards_is_a_mismatch_naming_both_users() {
    let w = World::new();
    let pushed = three_authors(&w);
    let (jane, _) = &pushed[0];
    // What `p4 change -f` leaves: the change now belongs to someone else.
    w.fusion_file("owner-changes.json", &format!("{{\"{}\": \"build\"}}", w.change_of(jane)));
    let (run, json) = audit(&w, &[]);
    assert_eq!(run.code, 3, "{run}");
    let row = &commits(&json)[0];
    assert_eq!((row["result"].as_str(), row["owner"].as_str()), (Some("mismatch"), Some("build")));
    assert_eq!(row["predicted_owner"], "jdoe");
    let text = w.gfbridge(&["audit"]);
    assert_eq!(text.code, 3, "{text}");
    assert!(text.stdout.contains("owner build, predicted jdoe"), "{text}");
}

#[test]
fn a_commit_whose_object_perforce_lost_is_missing() {
    let w = World::new();
    let pushed = three_authors(&w);
    let (bob, _) = &pushed[1];
    let folder = w.remote(Fusion).join(format!(
        "fusion/depot/.git-fusion/objects/repos/acme_0xS_widgets/commits/{}/{}",
        &bob[0..2],
        &bob[2..4]
    ));
    let object = std::fs::read_dir(&folder)
        .expect("the stand-in wrote the commit object")
        .map(|e| e.expect("entry").path())
        .find(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&bob[4..])))
        .expect("object file");
    std::fs::remove_file(object).expect("lose it");
    let (run, json) = audit(&w, &[]);
    assert_eq!(run.code, 3, "{run}");
    let rows = commits(&json);
    assert_eq!(rows[1]["result"], "missing");
    assert_eq!(rows[1]["change"], Value::Null);
    assert_eq!(
        (rows[0]["result"].as_str(), rows[2]["result"].as_str()),
        (Some("match"), Some("match"))
    );
    assert_eq!(json["workspaces"][0]["summary"]["missing"], 1);
}

#[test]
fn audit_without_a_perforce_server_exits_2_saying_so() {
    let w = World::new();
    w.write_config(DEFAULT_CONFIG);
    let run = w.gfbridge(&["audit"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("widgets") && run.stderr.contains("[perforce]"), "{run}");
}

#[test]
fn audit_exits_1_when_perforce_cannot_be_reached() {
    let w = World::new();
    three_authors(&w);
    w.fusion_file("p4-down", "");
    let run = w.gfbridge(&["audit"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("p4") && run.stdout.is_empty(), "{run}");
}

#[test]
fn last_and_since_choose_the_recorded_commits() {
    let w = World::new();
    let first = three_authors(&w);
    let second = w.commit(Gitlab, "main", "later work");
    assert_eq!(w.sync().code, 0);
    let (run, json) = audit(&w, &["--last", "1"]);
    assert_eq!(run.code, 0, "{run}");
    let rows = commits(&json);
    assert_eq!((rows.len(), rows[0]["commit"].as_str()), (1, Some(second.as_str())));
    let recorded = read_jsonl(&w.path(".gfbridge/widgets/predictions.jsonl"));
    assert_eq!(recorded.len(), 4, "one line per pushed commit");
    let since = recorded[3]["time"].as_str().expect("time").to_string();
    let (run, json) = audit(&w, &["--since", &since]);
    assert_eq!(run.code, 0, "{run}");
    let audited: Vec<String> =
        commits(&json).iter().map(|r| r["commit"].as_str().expect("id").to_string()).collect();
    assert!(audited.contains(&second), "{run}");
    assert!(!audited.contains(&first[0].0) || recorded[0]["time"] == since.as_str(), "{run}");
    let both = w.gfbridge(&["audit", "--last", "1", "--since", &since]);
    assert_eq!(both.code, 2, "the two windows exclude each other: {both}");
}

#[test]
fn a_dry_run_records_no_prediction() {
    let w = World::new();
    w.seed("main");
    w.commit(Gitlab, "main", "not yet");
    assert_eq!(w.gfbridge(&["sync", "--dry-run"]).code, 0);
    assert!(!w.path(".gfbridge/widgets/predictions.jsonl").exists());
    let (run, json) = audit(&w, &[]);
    assert_eq!(run.code, 0, "{run}");
    assert!(commits(&json).is_empty());
}

#[test]
fn hundreds_of_commits_are_audited_in_two_p4_calls() {
    let w = World::new();
    w.seed("main");
    let mut pushed = Vec::new();
    for i in 0..300 {
        pushed.push(w.commit(Gitlab, "main", &format!("commit {i}")));
    }
    assert_eq!(w.sync().code, 0);
    let before = p4_calls(&w).len();
    let (run, json) = audit(&w, &[]);
    assert_eq!(run.code, 0, "{run}");
    let calls = &p4_calls(&w)[before..];
    let commands: Vec<&str> = calls.iter().map(|c| c["args"][2].as_str().unwrap_or("")).collect();
    assert_eq!(commands, ["files", "describe"], "{calls:?}");
    assert!(calls.iter().all(|c| c["stdin"] == true), "the paths go on stdin, not argv");
    let rows = commits(&json);
    assert_eq!(rows.len(), 300);
    assert!(rows.iter().all(|r| r["result"] == "match"), "{run}");
    assert_eq!(rows[299]["commit"], pushed[299].as_str());
}

#[test]
fn the_report_shows_the_audit_and_a_mismatch_blocks_it_for_the_perforce_admin() {
    let w = World::new();
    w.write_config(&format!("{}{}", w.default_config(), crate::report::ACCEPT_ALL_SKIPS));
    w.seed("release/1.0"); // Every allowlist entry names a branch.
    let pushed = three_authors(&w);
    let report = w.gfbridge(&["report", "--format", "json"]);
    assert_eq!(report.code, 0, "{report}");
    let ws = &report.json()["workspaces"][0];
    assert_eq!(ws["ready"], true, "{report}");
    assert_eq!(ws["audit"], serde_json::json!({"match": 3, "mismatch": 0, "missing": 0}));
    w.fusion_file(
        "owner-changes.json",
        &format!("{{\"{}\": \"build\"}}", w.change_of(&pushed[2].0)),
    );
    let report = w.gfbridge(&["report", "--format", "json"]);
    assert_eq!(report.code, 3, "{report}");
    let ws = &report.json()["workspaces"][0];
    assert_eq!(ws["audit"]["mismatch"], 1);
    let blockers = ws["blockers"].as_array().expect("blockers");
    let audit = blockers.iter().find(|b| b["kind"] == "audit").expect("an audit blocker");
    assert_eq!(
        (audit["code"].as_str(), audit["who"].as_str()),
        (Some("mismatch"), Some("perforce_admin"))
    );
    let text = w.gfbridge(&["report"]);
    assert!(text.stdout.contains("1 mismatch"), "{text}");
    let markdown = w.gfbridge(&["report", "--format", "markdown"]);
    assert!(
        markdown.stdout.contains("### Audit") && markdown.stdout.contains("2 match, 1 mismatch"),
        "{markdown}"
    );
}

#[test]
fn a_report_without_a_perforce_server_has_no_audit() {
    let w = World::new();
    w.write_config(DEFAULT_CONFIG);
    let report = w.gfbridge(&["report", "--format", "json"]);
    assert_eq!(report.json()["workspaces"][0]["audit"], Value::Null, "{report}");
}
