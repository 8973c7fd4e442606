//! `gfbridge report` (SPEC §6): golden output in every format on a fixed scenario, each verdict
//! path, and proof that it writes to neither remote.

use std::path::PathBuf;

use serde_json::Value;

use crate::harness::*;

/// A workspace with one branch per kind of trouble: main goes to Git Fusion, release/1.0 comes
/// back, release/2.0 has diverged, release/3.0 is blocked (a path Perforce cannot store), and
/// release/4.0 is in sync.
fn troubled_world() -> World {
    let w = World::new();
    for b in ["main", "release/1.0", "release/2.0", "release/4.0"] {
        w.seed(b);
    }
    w.commit(Gitlab, "main", "Add widget sizes");
    w.set_author("Bob Smith", "bob@example.com");
    w.commit(Fusion, "release/1.0", "Hotfix from Perforce");
    w.commit(Fusion, "release/2.0", "Release notes (Perforce)");
    w.set_author("Jane Doe", "jane@example.com");
    w.commit(Gitlab, "release/2.0", "Release notes (GitLab)");
    w.commit_files(
        Gitlab,
        "release/3.0",
        &[("assets/icon...png", Entry::File("icon"))],
        "Add icon",
    );
    w
}

/// Replaces what differs between machines and runs: the temp dir, the time, git's version.
fn normalise(w: &World, text: &str) -> String {
    let root = w.tmp.path().to_string_lossy().into_owned();
    let time = regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z").unwrap();
    let git = regex::Regex::new(r"git \d+\.\d+(\.\d+)?[^ <|\n]*").unwrap();
    let text = text.replace(&root, "[ROOT]");
    let text = time.replace_all(&text, "[TIME]");
    git.replace_all(&text, "git [VERSION]").replace(env!("CARGO_PKG_VERSION"), "[PKG]")
}

/// Compares `actual` with the golden file; `GFBRIDGE_BLESS=1` rewrites the file instead.
fn assert_golden(name: &str, actual: &str) {
    let path: PathBuf = repo_root().join("tests/it/golden").join(name);
    if std::env::var_os("GFBRIDGE_BLESS").is_some() {
        std::fs::write(&path, actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("{} missing: run with GFBRIDGE_BLESS=1", path.display()));
    if expected != actual {
        let line = expected.lines().zip(actual.lines()).position(|(a, b)| a != b);
        panic!(
            "{name} differs from the golden file (first differing line {line:?}); \
             if intended, run with GFBRIDGE_BLESS=1\n--- actual\n{actual}"
        );
    }
}

#[test]
fn report_matches_the_golden_files_in_every_format() {
    let w = troubled_world();
    for (format, file) in [
        ("text", "report.txt"),
        ("markdown", "report.md"),
        ("json", "report.json"),
        ("html", "report.html"),
    ] {
        let run = w.gfbridge(&["report", "--format", format]);
        assert_eq!(run.code, 3, "{format}: {run}");
        assert_golden(file, &normalise(&w, &run.stdout));
    }
}

/// Every ref of a bare repo, with its target.
fn refs(w: &World, side: Side) -> String {
    run_ok(
        git()
            .arg("--git-dir")
            .arg(w.remote(side))
            .args(["for-each-ref", "--format=%(refname) %(objectname)"]),
    )
}

#[test]
fn report_writes_to_neither_remote() {
    let w = troubled_world();
    let before = (refs(&w, Gitlab), refs(&w, Fusion));
    let push_id = w.remote(Fusion).join("fusion/push-id");
    let attempts = std::fs::read_to_string(&push_id).unwrap_or_default();
    let changelists = w.changelists().len();
    for format in ["text", "markdown", "json", "html"] {
        assert_eq!(w.gfbridge(&["report", "--format", format]).code, 3);
    }
    assert_eq!((refs(&w, Gitlab), refs(&w, Fusion)), before, "no ref moved");
    assert_eq!(std::fs::read_to_string(&push_id).unwrap_or_default(), attempts, "no push attempt");
    assert_eq!(w.changelists().len(), changelists, "no changelist");
}

fn report_json(w: &World) -> (i32, Value) {
    let run = w.gfbridge(&["report", "--format", "json"]);
    (run.code, serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {run}")))
}

#[test]
fn workspace_with_every_branch_in_sync_and_checks_passing_is_ready() {
    let w = World::new();
    w.seed("main");
    w.seed("release/1.0");
    let (code, doc) = report_json(&w);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        (doc["ready"].as_bool(), doc["workspaces"][0]["ready"].as_bool()),
        (Some(true), Some(true))
    );
    let text = w.gfbridge(&["report"]);
    assert!(text.stdout.contains("READY: 1 of 1 workspace(s) ready"), "{text}");
}

#[test]
fn each_action_but_in_sync_makes_the_workspace_not_ready() {
    type Setup = fn(&World);
    let cases: [(&str, Setup); 6] = [
        ("push_to_fusion", |w| drop(w.commit(Gitlab, "main", "new"))),
        ("push_to_gitlab", |w| drop(w.commit(Fusion, "main", "new"))),
        ("diverged", |w| {
            w.commit(Gitlab, "main", "ours");
            w.commit(Fusion, "main", "theirs");
        }),
        ("rewritten", |w| {
            let base = w.tip(Gitlab, "main").unwrap();
            w.commit(Gitlab, "main", "soon gone");
            assert_eq!(w.sync().code, 0);
            w.set_branch(Gitlab, "main", &base);
        }),
        ("deleted", |w| {
            assert_eq!(w.sync().code, 0);
            w.delete_branch(Gitlab, "main");
        }),
        ("blocked", |w| {
            w.commit_files(Gitlab, "main", &[("a...b", Entry::File("x"))], "bad path");
        }),
    ];
    for (action, setup) in cases {
        let w = World::new();
        w.seed("main");
        setup(&w);
        let (code, doc) = report_json(&w);
        assert_eq!(code, 3, "{action}: {doc:#}");
        let ws = &doc["workspaces"][0];
        assert_eq!((doc["ready"].as_bool(), ws["ready"].as_bool()), (Some(false), Some(false)));
        assert_eq!(ws["branches"][0]["action"], action, "{doc:#}");
        let why = ws["not_ready_because"].to_string();
        assert!(why.contains(&format!("main: {action}")), "{action}: {why}");
    }
}

#[test]
fn failing_check_makes_the_workspace_not_ready_even_when_in_sync() {
    let w = World::new();
    w.seed("main");
    w.global_config("[git-to-perforce]\nchange-owner = pusher\n");
    let (code, doc) = report_json(&w);
    assert_eq!(code, 3, "{doc:#}");
    let ws = &doc["workspaces"][0];
    assert_eq!(ws["branches"][0]["action"], "in_sync");
    assert!(ws["not_ready_because"][0].as_str().unwrap().starts_with("check change_owner fails"));
    let md = w.gfbridge(&["report", "--format", "markdown"]).stdout;
    assert!(
        md.contains("**Verdict: ❌ NOT READY**") && md.contains("| ❌ fail | `change_owner` |"),
        "{md}"
    );
}

#[test]
fn unreachable_remote_exits_1_and_still_writes_the_report() {
    let w = World::new();
    w.seed("main");
    std::fs::remove_dir_all(w.remote(Fusion)).unwrap();
    let out = w.path("report.html");
    let run = w.gfbridge(&["report", "--format", "html", "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run}");
    let html = std::fs::read_to_string(out).expect("report written");
    assert!(html.contains("✖ NOT READY") && html.contains("The plan could not be made"), "{html}");
}

#[test]
fn html_report_is_one_self_contained_file() {
    let w = troubled_world();
    let out = w.path("report.html");
    assert_eq!(w.gfbridge(&["report", "--format", "html", "-o", out.to_str().unwrap()]).code, 3);
    let html = std::fs::read_to_string(out).expect("written");
    for external in ["http://", "https://", "<script", "<link", " src=", "url("] {
        assert!(!html.contains(external), "no external asset or script: found {external}");
    }
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    assert!(html.contains("<code>assets/icon...png</code>") || html.contains("icon...png"));
}
