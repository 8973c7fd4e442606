//! Bad configuration of every kind: exit 2, and a message naming the file, the key (with
//! line and column where TOML gives them) and what is wrong. Plus `init`.

use std::process::Command;

use crate::harness::*;

const BASE: &str = r#"[[workspace]]
name = "widgets"
gitlab_remote = "gitlab.git"
fusion_remote = "fusion.git"
fusion_repo = "acme/widgets"
branches = ["main"]
protected_from = "config"
"#;

fn check(w: &World, config: &str, expected: &[&str]) {
    w.write_config(config);
    let run = w.sync();
    assert_eq!(run.code, 2, "config:\n{config}\n{run}");
    assert!(run.stderr.contains("gfbridge.toml"), "file named: {run}");
    for part in expected {
        assert!(run.stderr.contains(part), "expected `{part}` in:\n{run}");
    }
    assert_eq!(w.tip(Fusion, "main"), None, "nothing ran");
}

#[test]
fn every_kind_of_config_error_exits_2_naming_file_key_and_problem() {
    let w = World::new();
    w.commit(Gitlab, "main", "a");
    let cases: &[(String, &[&str])] = &[
        (format!("{BASE}colour = \"blue\"\n"), &["gfbridge.toml:8:1", "unknown field `colour`"]),
        (format!("[bridge]\ncache_dirr = \"x\"\n{BASE}"), &[":2:1", "unknown field `cache_dirr`"]),
        (BASE.replace("branches = [\"main\"]", "branches = \"main\""), &[":6:", "branches", "sequence"]),
        (BASE.replace("name = \"widgets\"", "name = \"widgets"), &[":2:"]),
        (BASE.replace("fusion_repo = \"acme/widgets\"\n", ""), &["workspace[0].fusion_repo", "is required"]),
        (BASE.replace("\"widgets\"", "\"Widgets!\""), &["workspace[0].name", "[a-z0-9][a-z0-9._-]*"]),
        (format!("{BASE}\n{BASE}"), &["workspace[1].name", "used twice"]),
        (BASE.replace("[\"main\"]", "[\"main\", \"main\"]"), &["workspace[0].branches", "listed twice"]),
        (BASE.replace("[\"main\"]", "[]"), &["workspace[0].branches", "at least one"]),
        (BASE.replace("[\"main\"]", "[\"refs/heads/main\"]"), &["workspace[0].branches", "without `refs/heads/`"]),
        (format!("{BASE}interval = \"soon\"\n"), &["workspace[0].interval", "not a duration"]),
        (format!("[bridge]\npush_confirm_timeout = \"5 parsecs\"\n{BASE}"), &["bridge.push_confirm_timeout"]),
        (format!("[bridge]\npush_confirm_timeout = \"10000000000000000000s\"\n{BASE}"), &["bridge.push_confirm_timeout", "10000000000000000000s"]),
        (format!("[bridge]\npush_confirm_timeout = \"2h\"\n{BASE}"), &["bridge.push_confirm_timeout", "out of range", "0s to 1h"]),
        (format!("[bridge]\npush_confirm_timeout = \"-5s\"\n{BASE}"), &["bridge.push_confirm_timeout", "negative"]),
        (format!("{BASE}interval = \"0s\"\n"), &["workspace[0].interval", "out of range", "10s to 24h"]),
        (format!("{BASE}interval = \"99999999999h\"\n"), &["workspace[0].interval"]),
        (format!("[gitlab]\nurl = \"https://gitlab.example.com\"\ntimeout = \"1000d\"\n{BASE}"), &["gitlab.timeout"]),
        (format!("[bridge]\non_unmapped_author = \"ignore\"\n{BASE}"), &["bridge.on_unmapped_author", "\"block\""]),
        (BASE.replace("protected_from = \"config\"\n", ""), &["workspace[0].gitlab_project", "is required", "protected_from = \"config\""]),
        (BASE.replace("protected_from = \"config\"\n", "gitlab_project = \"acme/widgets\"\n"), &["gitlab.url", "is required"]),
        (format!("[gitlab]\nurl = \"https://gitlab.example.com\"\ntimeout = \"soon\"\n{BASE}"), &["gitlab.timeout", "not a duration"]),
        (BASE.replace("\"config\"", "\"api\""), &["workspace[0].protected_from", "`api`"]),
        (BASE.replace("\"acme/widgets\"", "\"acme/wid...gets\""), &["workspace[0].fusion_repo", "`...`"]),
        (BASE.replace("\"gitlab.git\"", "\"--upload-pack=evil\""), &["workspace[0].gitlab_remote", "starts with `-`"]),
        (format!("{BASE}tags = [\"v*\", \"v*\"]\n"), &["workspace[0].tags", "listed twice"]),
        (format!("{BASE}tags = [\"refs/tags/v*\"]\n"), &["workspace[0].tags", "without `refs/heads/` or `refs/tags/`"]),
        (format!("{BASE}lfs = \"sometimes\"\n"), &["workspace[0].lfs", "\"auto\", \"off\""]),
        (format!("{BASE}gitlab_lfs_url = \"ssh://git@x/y\"\n"), &["workspace[0].gitlab_lfs_url", "http(s) URL"]),
        (format!("{BASE}fusion_lfs_url = \"https://u:secret@gf/x/info/lfs\"\n"), &["workspace[0].fusion_lfs_url", "holds a password"]),
        (format!("[authors]\n\"Jane@example.com\" = \"jdoe\"\n\"jane@example.com\" = \"jane\"\n{BASE}"), &["authors.", "letter case"]),
        (format!("[authors]\n\"not-an-email\" = \"jdoe\"\n{BASE}"), &["authors.\"not-an-email\""]),
        ("[bridge]\n".to_string(), &["workspace", "no [[workspace]]"]),
        (format!("[gitlab]\nurl = \"https://a\"\n[gitlab]\nurl = \"https://b\"\n{BASE}"), &[":3:", "table `[gitlab]`", "duplicate"]),
        (format!("[perforce]\np4 = \"p4\"\n[perforce]\n{BASE}"), &[":3:", "table `[perforce]`"]),
    ];
    for (config, expected) in cases {
        check(&w, config, expected);
    }
}

#[test]
fn a_missing_config_file_is_a_usage_error_that_suggests_init() {
    let w = World::new();
    std::fs::remove_file(w.path("gfbridge.toml")).expect("remove");
    let run = w.sync();
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("gfbridge.toml") && run.stderr.contains("gfbridge init"), "{run}");
}

#[test]
fn a_branch_no_workspace_mirrors_is_a_usage_error() {
    let w = World::new();
    w.commit(Gitlab, "feature/x", "wip");
    let run = w.gfbridge(&["sync", "-b", "feature/x"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("feature/x") && run.stderr.contains("never mirrored"), "{run}");
    assert_eq!(w.tip(Fusion, "feature/x"), None);
}

#[test]
fn a_branch_name_git_would_refuse_is_a_usage_error_saying_which_rule() {
    let w = World::new();
    let run = w.gfbridge(&["sync", "-b", "release/1..2"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("`release/1..2` is not a valid branch name: it has `..`"), "{run}");
}

#[test]
fn an_unknown_workspace_name_is_a_usage_error() {
    let w = World::new();
    let run = w.gfbridge(&["sync", "-w", "gadgets"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("gadgets") && run.stderr.contains("widgets"), "{run}");
}

#[test]
fn init_writes_an_example_that_loads_and_never_overwrites() {
    let w = World::new();
    let run = w.gfbridge(&["init", "-o", "new.toml"]);
    assert_eq!(run.code, 0, "{run}");
    let loaded = gfbridge::config::Config::load(&w.path("new.toml"));
    let config = loaded.expect("the example loads");
    assert_eq!(config.workspaces[0].name, "widgets");
    let again = w.gfbridge(&["init", "-o", "new.toml"]);
    assert_eq!(again.code, 2, "{again}");
    assert!(again.stderr.contains("already exists"), "{again}");
}

/// A second workspace on another Helix server, with its own `[workspace.perforce]`:
/// each is judged by its own server's users, and each server sees only its workspace's calls.
#[test]
fn each_workspace_asks_its_own_perforce_server_and_nothing_crosses() {
    let w = World::new();
    let eu = w.path("fusion-eu.git");
    run_ok(
        Command::new(repo_root().join("p4-fixtures/make-fusion-repo")).arg(&eu).arg("acme/game"),
    );
    // The EU server has no unknown_git: an author nobody maps is refused there.
    let users = std::fs::read_to_string(eu.join("fusion/users.jsonl")).expect("users");
    let kept: Vec<&str> = users.lines().filter(|l| !l.contains("\"unknown_git\"")).collect();
    std::fs::write(eu.join("fusion/users.jsonl"), kept.join("\n") + "\n").expect("users");
    let game = format!(
        r#"
[[workspace]]
name = "game"
gitlab_remote = "gitlab.git"
fusion_remote = "fusion-eu.git"
fusion_repo = "acme/game"
branches = ["game"]
protected_from = "config"
[workspace.perforce]
port = "{}"
"#,
        eu.join("fusion").display()
    );
    w.write_config(&format!("{}{game}", w.default_config()));
    w.seed("main");
    w.commit(Gitlab, "game", "game seed");
    run_ok(
        git().arg("--git-dir").arg(w.remote(Gitlab)).args(["push", "--quiet"]).arg(&eu).arg("game"),
    );
    w.set_author("Zed", "zed@nowhere.test");
    w.commit(Gitlab, "main", "to the default server");
    w.commit(Gitlab, "game", "to the EU server");
    let run = w.sync_json();
    assert_eq!(run.code, 3, "{run}");
    let json = run.json();
    let (widgets, game) = (&json["workspaces"][0]["branches"], &json["workspaces"][1]["branches"]);
    assert_eq!(widgets[0]["outcome"], "done", "unknown_git exists on the default server: {run}");
    assert_eq!(game[0]["action"], "blocked", "not on the EU server: {run}");
    assert_eq!(game[0]["reasons"][0]["code"], "unmapped_author");
    let calls = |dir: &std::path::Path| {
        std::fs::read_to_string(dir.join("fusion/p4-calls.log")).unwrap_or_default()
    };
    assert!(
        !calls(&w.remote(Fusion)).contains("acme_0xS_game"),
        "the default server was not asked about game"
    );
    assert!(!calls(&eu).contains("acme_0xS_widgets"), "the EU server was not asked about widgets");
    assert!(calls(&eu).contains("acme_0xS_game"), "{}", calls(&eu));
}

#[test]
fn a_workspace_perforce_key_overrides_only_itself_and_errors_name_the_workspace() {
    let w = World::new();
    let text =
        format!("{}\n[workspace.perforce]\ncase_handling = \"sideways\"\n", w.default_config());
    w.write_config(&text);
    let run = w.gfbridge(&["check"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("workspace[0].perforce.case_handling"), "{run}");
}

#[test]
fn an_unknown_check_id_in_accept_unchecked_is_refused_naming_it() {
    let w = World::new();
    let bridge = "[bridge]\naccept_unchecked = [\"protections\", \"protection\"]\n";
    let own = "accept_unchecked = [\"gitlab_mirror\"]\n";
    for (config, key, bad) in [
        (format!("{bridge}{}", w.default_config()), "bridge.accept_unchecked", "protection"),
        (format!("{}{own}", w.default_config()), "workspace[0].accept_unchecked", "gitlab_mirror"),
    ] {
        w.write_config(&config);
        let run = w.gfbridge(&["check"]);
        assert_eq!(run.code, 2, "{run}");
        assert!(run.stderr.contains(key), "{run}");
        assert!(run.stderr.contains(&format!("unknown check id(s): {bad} (")), "{run}");
        assert!(run.stderr.contains("known: config, git,"), "the known ids are listed: {run}");
    }
}
