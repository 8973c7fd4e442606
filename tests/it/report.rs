//! `gfbridge report` (docs/report.md): golden output in every format on a fixed scenario, each verdict
//! path, and proof that it writes to neither remote.

use std::path::PathBuf;

use serde_json::Value;

use crate::harness::*;

/// A workspace with one branch per kind of trouble: main goes to Git Fusion, release/1.0 comes
/// back, release/2.0 has diverged, release/3.0 is blocked (a path Perforce cannot store), and
/// release/4.0 is in sync.
/// The checks a test world cannot make (no GitLab API with protected_from = "config", no
/// protections tables), accepted as the operator of such a workspace would.
pub const ACCEPT_ALL_SKIPS: &str = "accept_unchecked = [\"gitlab_api\", \"protected_branches\", \"gitlab_push_access\", \"gitlab_mirrors\", \"protections\"]\n";

fn accept_skips(w: &World, line: &str) {
    w.write_config(&format!("{}{line}", w.default_config()));
}

fn troubled_world() -> World {
    let w = World::new();
    // GitLab's checks are accepted unchecked; protections stays a skip that blocks.
    accept_skips(
        &w,
        "accept_unchecked = [\"gitlab_api\", \"protected_branches\", \"gitlab_push_access\", \"gitlab_mirrors\"]\n",
    );
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
    (run.code, run.json())
}

#[test]
fn workspace_with_every_branch_in_sync_and_checks_passing_is_ready() {
    let w = World::new();
    accept_skips(&w, ACCEPT_ALL_SKIPS);
    w.seed("main");
    w.seed("release/1.0");
    assert_eq!(w.sync().code, 0, "gfbridge records the bases");
    let (code, doc) = report_json(&w);
    assert_eq!(code, 0, "{doc:#}");
    assert_eq!(
        (doc["ready"].as_bool(), doc["workspaces"][0]["ready"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(doc["workspaces"][0]["blockers"], serde_json::json!([]));
    let text = w.gfbridge(&["report"]);
    assert!(text.stdout.contains("READY: 1 of 1 workspace(s) ready"), "{text}");
}

/// Returns the workspace's blockers as (kind, id, code, who).
fn blockers(doc: &Value) -> Vec<(String, String, String, String)> {
    let list = doc["workspaces"][0]["blockers"].as_array().expect("blockers").clone();
    list.iter()
        .map(|b| {
            let field = |k: &str| b[k].as_str().unwrap_or_else(|| panic!("{k} in {b}")).to_string();
            assert!(!field("remedy").is_empty(), "every blocker has a remedy: {b}");
            (field("kind"), field("id"), field("code"), field("who"))
        })
        .collect()
}

#[test]
fn each_kind_of_blocker_names_who_must_act() {
    type Setup = fn(&World);
    let cases: [(&str, Setup, (&str, &str, &str)); 8] = [
        (
            "push_to_fusion",
            |w| drop(w.commit(Gitlab, "main", "new")),
            ("branch", "push_to_fusion", "next_sync"),
        ),
        (
            "push_to_gitlab",
            |w| drop(w.commit(Fusion, "main", "new")),
            ("branch", "push_to_gitlab", "next_sync"),
        ),
        (
            "diverged",
            |w| {
                w.commit(Gitlab, "main", "ours");
                w.commit(Fusion, "main", "theirs");
            },
            ("branch", "diverged", "developer"),
        ),
        (
            "rewritten",
            |w| {
                let base = w.tip(Gitlab, "main").unwrap();
                w.commit(Gitlab, "main", "soon gone");
                assert_eq!(w.sync().code, 0);
                w.set_branch(Gitlab, "main", &base);
            },
            ("branch", "rewritten", "developer"),
        ),
        ("deleted", |w| w.delete_branch(Gitlab, "main"), ("branch", "deleted", "bridge_operator")),
        (
            "blocked",
            |w| {
                w.commit_files(Gitlab, "main", &[("a...b", Entry::File("x"))], "bad path");
            },
            ("branch", "invalid_path", "developer"),
        ),
        (
            "blocked",
            |w| {
                w.set_fusion_settings(r#"{"background": "fail"}"#);
                w.commit(Gitlab, "main", "never reaches perforce");
                assert_eq!(w.sync().code, 3);
            },
            ("push", "fusion_rejected", "bridge_operator"),
        ),
        (
            "blocked",
            |w| {
                w.write_config(&format!(
                    "[bridge]\npush_confirm_timeout = \"0s\"\n{}",
                    w.default_config()
                ));
                w.set_fusion_settings(r#"{"background": "hang"}"#);
                w.commit(Gitlab, "main", "slow copy");
                assert_eq!(w.sync().code, 0);
            },
            ("push", "fusion_pending", "next_sync"),
        ),
    ];
    for (action, setup, expected) in cases {
        let w = World::new();
        w.seed("main");
        assert_eq!(w.sync().code, 0, "gfbridge records the base");
        setup(&w);
        let (code, doc) = report_json(&w);
        assert_eq!(code, 3, "{action}: {doc:#}");
        let ws = &doc["workspaces"][0];
        assert_eq!((doc["ready"].as_bool(), ws["ready"].as_bool()), (Some(false), Some(false)));
        assert_eq!(ws["branches"][0]["action"], action, "{doc:#}");
        let (kind, code, who) = expected;
        let wanted = (kind.to_string(), "main".to_string(), code.to_string(), who.to_string());
        assert!(blockers(&doc).contains(&wanted), "{action}: {:#}", ws["blockers"]);
    }
}

#[test]
fn blockers_list_peoples_work_before_the_next_syncs_and_problem_rows_come_first() {
    let w = troubled_world();
    let (_, doc) = report_json(&w);
    let order = ["developer", "gitlab_admin", "perforce_admin", "bridge_operator", "next_sync"];
    let ranks: Vec<usize> = blockers(&doc)
        .iter()
        .map(|(_, _, _, who)| order.iter().position(|o| o == who).expect("known who"))
        .collect();
    assert!(ranks.windows(2).all(|p| p[0] <= p[1]), "sorted by who: {ranks:?}");
    assert!(
        ranks.first() == Some(&0) && ranks.last() == Some(&4),
        "{:#}",
        doc["workspaces"][0]["blockers"]
    );
    let text = w.gfbridge(&["report"]).stdout;
    let at = |needle: &str| text.find(needle).unwrap_or_else(|| panic!("`{needle}` in {text}"));
    assert!(at("Developers:") < at("The next sync will do it:"), "{text}");
    // In the branch table, release/4.0 (in sync) comes after every branch that is not.
    let table = &text[at("branches:")..];
    assert!(table.find("release/4.0").unwrap() > table.find("release/3.0").unwrap(), "{text}");
    assert!(table.find("release/4.0").unwrap() > table.find("main").unwrap(), "{text}");
}

#[test]
fn a_warning_check_alone_makes_the_workspace_not_ready() {
    let w = World::new();
    accept_skips(&w, ACCEPT_ALL_SKIPS);
    w.seed("main");
    w.seed("release/1.0");
    // Both sides have main, and gfbridge has never seen them equal: no saved state.
    let (code, doc) = report_json(&w);
    assert_eq!(code, 3, "{doc:#}");
    let state = doc["workspaces"][0]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "state")
        .cloned()
        .expect("check state");
    assert_eq!(state["status"], "warn", "{state}");
    assert!(state["message"].as_str().unwrap().contains("no saved state"), "{state}");
    assert!(blockers(&doc).contains(&(
        "check".into(),
        "state".into(),
        "warn".into(),
        "next_sync".into()
    )));
    assert_eq!(w.sync().code, 0);
    assert_eq!(report_json(&w).0, 0, "ready once the base is recorded");
}

#[test]
fn failing_check_makes_the_workspace_not_ready_even_when_in_sync() {
    let w = World::new();
    w.seed("main");
    assert_eq!(w.sync().code, 0);
    w.global_config("[git-to-perforce]\nchange-owner = pusher\n");
    let (code, doc) = report_json(&w);
    assert_eq!(code, 3, "{doc:#}");
    let ws = &doc["workspaces"][0];
    assert_eq!(ws["branches"][0]["action"], "in_sync");
    assert!(
        blockers(&doc).contains(&(
            "check".into(),
            "change_owner".into(),
            "fail".into(),
            "perforce_admin".into()
        )),
        "{:#}",
        ws["blockers"]
    );
    let md = w.gfbridge(&["report", "--format", "markdown"]).stdout;
    assert!(
        md.contains("**Verdict: ❌ NOT READY**") && md.contains("| ❌ fail | `change_owner` |"),
        "{md}"
    );
    assert!(md.contains("**Perforce administrator**"), "{md}");
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

/// On paper nothing scrolls: the boxes that scroll on screen must grow when printed, or every
/// row below the fold is lost (scripts/report-print-check.sh measures it in Chromium).
#[test]
fn html_report_prints_every_row_without_scroll_boxes() {
    let w = troubled_world();
    let html = w.gfbridge(&["report", "--format", "html"]).stdout;
    let screen_box = html.find(".box {").expect("boxes scroll on screen");
    assert!(html[screen_box..].starts_with(".box { max-height: 70vh; overflow: auto;"), "{html}");
    let print = &html[html.find("@media print {").expect("print styles")..];
    let print = &print[..print.find("\n}\n").expect("end of the print block")];
    for rule in [".box { max-height: none; overflow: visible;", "th { position: static; }"] {
        assert!(print.contains(rule), "`{rule}` missing from the print styles:\n{print}");
    }
}

#[test]
fn the_report_lists_each_remote_once_for_its_checks_and_its_plan() {
    let w = World::new();
    w.wrap_git(r#"echo "$*" >> "$WORLD/git-calls""#);
    w.seed("main");
    w.commit(Gitlab, "main", "goes to Git Fusion");
    assert_eq!(report_json(&w).0, 3);
    let calls = std::fs::read_to_string(w.path("git-calls")).expect("calls");
    let listings: Vec<&str> = calls.lines().filter(|c| c.starts_with("ls-remote")).collect();
    assert_eq!(listings.len(), 2, "one ls-remote per remote: {calls}");
    assert!(listings.iter().any(|c| c.contains("gitlab.git")), "{calls}");
    assert!(listings.iter().any(|c| c.contains("fusion.git")), "{calls}");
}

#[test]
fn the_report_reads_git_fusions_settings_once_per_workspace() {
    let w = World::new();
    w.seed("main");
    w.commit(Gitlab, "main", "goes to Git Fusion: the preflight and the author table need facts");
    assert_eq!(report_json(&w).0, 3);
    let log = read_jsonl(&w.remote(Fusion).join("fusion/p4-calls.log"));
    let calls = |wanted: &str| {
        log.iter()
            .filter(|c| {
                let args: Vec<&str> =
                    c["args"].as_array().expect("args").iter().filter_map(|a| a.as_str()).collect();
                args.join(" ") == wanted
            })
            .count()
    };
    for call in ["print -q //.git-fusion/p4gf_config", "-ztag -Mj users -a", "-ztag -Mj info"] {
        assert_eq!(calls(call), 1, "`p4 {call}` once, for checks, plan and authors");
    }
}

#[test]
fn a_skipped_check_blocks_ready_until_accepted_and_then_shows_on_the_first_screen() {
    let w = World::new();
    w.seed("main");
    w.seed("release/1.0");
    assert_eq!(w.sync().code, 0);
    // Nothing is wrong, but protections and GitLab's rules were never read: not verified.
    let (code, doc) = report_json(&w);
    assert_eq!(code, 3, "{doc:#}");
    let found = blockers(&doc);
    for id in
        ["gitlab_api", "protected_branches", "gitlab_push_access", "gitlab_mirrors", "protections"]
    {
        assert!(
            found.contains(&("check".into(), id.into(), "skip".into(), "bridge_operator".into())),
            "{id}: {found:?}"
        );
    }
    let skips = doc["workspaces"][0]["blockers"].as_array().expect("blockers").clone();
    for b in skips.iter().filter(|b| b["code"] == "skip") {
        let remedy = b["remedy"].as_str().unwrap_or("");
        assert!(
            remedy
                .contains(&format!("accept_unchecked = [\"{}\"]", b["id"].as_str().unwrap_or(""))),
            "{b}"
        );
    }
    // The bridge-wide list applies to a workspace without its own.
    w.write_config(&format!("[bridge]\n{ACCEPT_ALL_SKIPS}{}", w.default_config()));
    let (code, doc) = report_json(&w);
    assert_eq!(code, 0, "{doc:#}");
    let accepted: Vec<&str> = doc["workspaces"][0]["accepted_unchecked"]
        .as_array()
        .expect("accepted_unchecked")
        .iter()
        .map(|a| {
            assert!(a["message"].as_str().unwrap_or("").starts_with("not checked:"), "{a}");
            a["id"].as_str().unwrap_or("")
        })
        .collect();
    assert_eq!(
        accepted,
        ["gitlab_api", "protected_branches", "gitlab_push_access", "gitlab_mirrors", "protections"]
    );
    let text = w.gfbridge(&["report"]);
    let first_screen = text.stdout.split("\n== ").next().unwrap_or("");
    assert!(first_screen.contains("Accepted without checking:"), "{text}");
    assert!(first_screen.contains("- protections (not checked:"), "{text}");
    for format in ["markdown", "html"] {
        let run = w.gfbridge(&["report", "--format", format]);
        assert!(run.stdout.contains("Accepted without checking"), "{format}: {run}");
        assert!(!run.stdout.contains("✔ skip"), "a skip never shows a tick: {run}");
    }
    // A workspace's own list replaces the bridge's: accepting less blocks again.
    w.write_config(&format!(
        "[bridge]\n{ACCEPT_ALL_SKIPS}{}accept_unchecked = [\"protections\"]\n",
        w.default_config()
    ));
    assert_eq!(report_json(&w).0, 3);
}

#[test]
fn an_unreadable_usermap_is_a_blocker_naming_the_file_and_line_not_a_missing_user() {
    let w = World::new();
    w.seed("main");
    assert_eq!(w.sync().code, 0);
    let usermap = "depot/.git-fusion/users/p4gf_usermap";
    let text =
        std::fs::read_to_string(w.remote(Fusion).join("fusion").join(usermap)).expect("usermap");
    w.fusion_file(usermap, &format!("{text}broken b<d@example.com \"Bad Line\"\n"));
    let line = text.lines().count() + 1;
    w.set_author("Someone New", "someone@example.com");
    w.commit(Gitlab, "main", "needs the usermap");
    let (code, doc) = report_json(&w);
    assert_eq!(code, 3, "{doc:#}");
    let blocker = doc["workspaces"][0]["blockers"]
        .as_array()
        .expect("blockers")
        .iter()
        .find(|b| b["code"] == "usermap_unreadable")
        .cloned()
        .unwrap_or_else(|| panic!("no usermap_unreadable blocker: {doc:#}"));
    assert_eq!(blocker["who"], "perforce_admin");
    let remedy = blocker["remedy"].as_str().unwrap_or("");
    assert!(remedy.contains(&format!("p4gf_usermap, line {line}")), "{remedy}");
    assert!(!remedy.contains("Create a Perforce user"), "{remedy}");
}
