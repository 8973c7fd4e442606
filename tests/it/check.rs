//! `gfbridge check` (docs/git-fusion.md): each check passing and failing or warning, exit 0 or 3,
//! and the change-owner answer for every cascade case.

use serde_json::Value;

use crate::harness::*;

fn checks(w: &World) -> (i32, Vec<Value>) {
    let run = w.gfbridge(&["check", "--format", "json"]);
    let json = run.json();
    (run.code, json["workspaces"][0]["checks"].as_array().expect("checks").clone())
}

fn status(checks: &[Value], id: &str) -> (String, String) {
    let c = checks
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id}: {checks:#?}"));
    (
        c["status"].as_str().expect("status").to_string(),
        c["message"].as_str().expect("message").to_string(),
    )
}

#[test]
fn a_healthy_workspace_passes_every_check_it_can_make_and_skips_the_others() {
    let w = World::new();
    w.seed("main");
    let (code, checks) = checks(&w);
    assert_eq!(code, 0, "a skip counts like a pass for check's exit code: {checks:#?}");
    for id in [
        "config",
        "git",
        "gitlab_remote",
        "fusion_remote",
        "change_owner",
        "unknown_git",
        "fusion_branches",
    ] {
        assert_eq!(status(&checks, id).0, "pass", "{id}: {checks:#?}");
    }
    // protected_from = "config": GitLab's API is never asked, so nothing about it is verified.
    for id in ["gitlab_api", "protected_branches", "gitlab_push_access", "gitlab_mirrors"] {
        let (got, message) = status(&checks, id);
        assert_eq!(got, "skip", "{id}: {checks:#?}");
        assert!(
            message.starts_with("not checked:") && message.contains("protected_from"),
            "{message}"
        );
    }
    assert!(status(&checks, "change_owner").1.contains("change-pusher is disabled"));
    let text = w.gfbridge(&["check"]);
    assert!(text.stdout.contains("pass  change_owner"), "{text}");
}

#[test]
fn change_owner_answers_correctly_for_every_cascade_case() {
    let cases: &[(&str, Option<&str>, &str, &str)] = &[
        ("", None, "pass", "default author"),
        ("[git-to-perforce]\nchange-owner = author\n", None, "pass", "global author"),
        ("[git-to-perforce]\nchange-owner = pusher\n", None, "fail", "global pusher"),
        ("[git-to-perforce]\nchange-owner = PUSHER\n", None, "fail", "compared lower-case"),
        (
            "[git-to-perforce]\nchange-owner = pusher\n",
            Some("[@repo]\nchange-owner = author\n"),
            "pass",
            "repo overrides",
        ),
        (
            "[git-to-perforce]\nchange-owner = author\n",
            Some("[@repo]\nchange-owner = pusher\n"),
            "fail",
            "repo pusher",
        ),
        (
            "[git-to-perforce]\nchange-owner = pusher\n",
            Some("[git-to-perforce]\nchange-owner = author\n"),
            "fail",
            "the trap: ignored section",
        ),
        (
            "",
            Some("[git-to-perforce]\nchange-owner = author\n"),
            "warn",
            "ignored section, author anyway",
        ),
    ];
    for (global, repo, expected, why) in cases {
        let w = World::new();
        w.global_config(global);
        if let Some(repo) = repo {
            w.repo_config(repo);
        }
        let (code, checks) = checks(&w);
        let (got, message) = status(&checks, "change_owner");
        assert_eq!(got, *expected, "{why}: {message}");
        assert_eq!(code, if *expected == "fail" { 3 } else { 0 }, "{why}");
        if why.contains("ignored section") {
            assert!(message.contains("Git Fusion ignores"), "{why}: {message}");
        }
    }
}

#[test]
fn unknown_git_check_follows_the_policy_and_the_user_type() {
    let w = World::new();
    assert_eq!(status(&checks(&w).1, "unknown_git").0, "pass");
    w.remove_p4_user("unknown_git");
    assert_eq!(status(&checks(&w).1, "unknown_git").0, "warn");
    w.write_config(&format!("[bridge]\non_unmapped_author = \"block\"\n{}", w.default_config()));
    assert_eq!(status(&checks(&w).1, "unknown_git").0, "pass");
    let users = w.remote(Fusion).join("fusion/users.jsonl");
    let mut text = std::fs::read_to_string(&users).expect("users");
    text.push_str(
        "{\"User\":\"unknown_git\",\"Email\":\"u@x\",\"FullName\":\"U\",\"Type\":\"service\"}\n",
    );
    std::fs::write(users, text).expect("users");
    let (code, checks) = checks(&w);
    assert_eq!((code, status(&checks, "unknown_git").0.as_str()), (3, "fail"));
}

#[test]
fn fusion_branches_fails_only_for_undefined_branches_when_creation_is_disabled() {
    let w = World::new();
    w.seed("main");
    w.commit(Gitlab, "release/2.0", "r");
    w.global_config("[git-to-perforce]\nenable-git-branch-creation = no\n");
    w.repo_config("[widgets-main]\ngit-branch-name = main\nview = //d/... ...\n");
    let (code, checks) = checks(&w);
    let (got, message) = status(&checks, "fusion_branches");
    assert_eq!((code, got.as_str()), (3, "fail"), "{message}");
    assert!(message.contains("release/2.0") && !message.contains("main,"), "{message}");
    w.repo_config("[widgets-main]\ngit-branch-name = main\nview = //d/... ...\n[widgets-rel]\ngit-branch-name = release/2.0\nview = //d/r/... ...\n");
    assert_eq!(status(&checks_of(&w), "fusion_branches").0, "pass");
}

#[test]
fn fusion_branches_counts_depot_branch_creation_for_new_names_as_the_sync_does() {
    let w = World::new();
    w.seed("main");
    w.commit(Gitlab, "release/3.0", "a new branch for Git Fusion");
    w.global_config(
        "[git-to-perforce]\nenable-git-branch-creation = no\ndepot-branch-creation-enable = all\n",
    );
    w.repo_config("[widgets-main]\ngit-branch-name = main\nview = //d/... ...\n");
    let (got, message) = status(&checks_of(&w), "fusion_branches");
    assert_eq!(got, "pass", "Git Fusion makes release/3.0 a depot branch: {message}");
    // And the sync agrees: the branch is not blocked.
    let dry = w.gfbridge(&["sync", "--dry-run", "--format", "json"]);
    assert_eq!(dry.branch("release/3.0")["action"], "push_to_fusion", "{dry}");
    assert_eq!(dry.branch("release/3.0")["reasons"], serde_json::json!([]), "{dry}");
}

#[test]
fn a_lightweight_branch_named_like_a_p4gf_config_branch_fails_fusion_branches() {
    let w = World::new();
    w.seed("main");
    w.repo_config("[widgets-main]\ngit-branch-name = main\nview = //d/... ...\n");
    w.fusion_file(
        "depot/.git-fusion/repos/acme_0xS_widgets/p4gf_config2",
        "[k3q9abcdefghijklmnopqrstuv]\ngit-branch-name = main\nview = //.git-fusion/branches/x/... ...\n",
    );
    let (code, checks) = checks(&w);
    let (got, message) = status(&checks, "fusion_branches");
    assert_eq!((code, got.as_str()), (3, "fail"), "{message}");
    assert!(message.contains("p4gf_config2") && message.contains("main"), "{message}");
}

fn checks_of(w: &World) -> Vec<Value> {
    checks(w).1
}

#[test]
fn unreachable_remotes_fail_their_checks() {
    let w = World::new();
    w.write_config(&w.default_config().replace("\"fusion.git\"", "\"missing.git\""));
    let (code, checks) = checks(&w);
    assert_eq!(code, 3);
    assert_eq!(status(&checks, "fusion_remote").0, "fail");
    assert_eq!(status(&checks, "gitlab_remote").0, "pass");
}

#[test]
fn an_old_git_fails_the_git_check() {
    let w = World::new();
    w.wrap_git(r#"[ "$1" = "--version" ] && { echo "git version 2.25.1"; exit 0; }"#);
    let (code, checks) = checks(&w);
    let (got, message) = status(&checks, "git");
    assert_eq!((code, got.as_str()), (3, "fail"), "{message}");
    assert!(message.contains("2.30"), "{message}");
}

#[test]
fn without_perforce_the_fusion_checks_are_skipped_saying_what_they_need() {
    let w = World::new();
    w.write_config(DEFAULT_CONFIG);
    let (code, checks) = checks(&w);
    assert_eq!(code, 0);
    for id in ["change_owner", "unknown_git", "fusion_branches", "protections"] {
        let (got, message) = status(&checks, id);
        assert_eq!(got, "skip", "{id}");
        assert!(message.starts_with("not checked:") && message.contains("[perforce]"), "{message}");
    }
    let text = w.gfbridge(&["check"]);
    assert!(text.stdout.contains("skip  change_owner"), "{text}");
}

#[test]
fn an_unreadable_p4gf_config_fails_with_the_file_and_line() {
    let w = World::new();
    w.global_config("[git-to-perforce]\nthis line has no delimiter\n");
    let (code, checks) = checks(&w);
    let (got, message) = status(&checks, "change_owner");
    assert_eq!((code, got.as_str()), (3, "fail"));
    assert!(message.contains("//.git-fusion/p4gf_config, line 2"), "{message}");
}

#[test]
fn gfbridge_makes_only_the_p4_calls_of_the_contract() {
    let w = World::new();
    w.seed("main");
    w.write_config(
        &w.default_config().replace("[perforce]\n", "[perforce]\nuser = \"gfbridge\"\n"),
    );
    let _ = checks(&w);
    let log = read_jsonl(&w.remote(Fusion).join("fusion/p4-calls.log"));
    let allowed = [
        "-ztag -Mj info",
        "-ztag -Mj users -a",
        "print -q //.git-fusion/p4gf_config",
        "print -q //.git-fusion/repos/acme_0xS_widgets/p4gf_config",
        "print -q //.git-fusion/repos/acme_0xS_widgets/p4gf_config2",
        "print -q //.git-fusion/users/p4gf_usermap",
    ];
    assert!(!log.is_empty());
    for call in log {
        assert_eq!(call["user"], "gfbridge", "-u passed when configured");
        let args: Vec<&str> = call["args"]
            .as_array()
            .expect("args")
            .iter()
            .map(|a| a.as_str().expect("str"))
            .collect();
        assert!(allowed.contains(&args.join(" ").as_str()), "unexpected p4 call {args:?}");
    }
}

#[test]
fn offline_files_replace_every_p4_call() {
    let w = World::new();
    w.seed("main");
    let ex = repo_root().join("p4-fixtures/examples");
    let perforce = format!(
        "[perforce]\np4 = \"/nonexistent/p4\"\nusers_file = \"{0}/users.ztag\"\nusermap_file = \"{0}/p4gf_usermap\"\nglobal_config_file = \"{0}/p4gf_config.global\"\ncase_handling = \"insensitive\"\n",
        ex.display()
    );
    let workspace = DEFAULT_CONFIG.replace(
        "protected_from = \"config\"",
        &format!(
            "protected_from = \"config\"\nrepo_config_file = \"{}/p4gf_config.repo-trap\"",
            ex.display()
        ),
    );
    w.write_config(&format!("{perforce}{workspace}"));
    let (_, checks) = checks(&w);
    let (got, message) = status(&checks, "change_owner");
    assert_eq!(got, "warn", "the example trap file is read offline: {message}");
    assert_eq!(status(&checks, "unknown_git").0, "pass", "users read from the -ztag export");
}

#[test]
fn a_failing_p4_is_an_error_naming_the_call() {
    let w = World::new();
    w.seed("main");
    let broken = w.default_config().replace(
        &format!("port = \"{}\"", w.remote(Fusion).join("fusion").display()),
        "port = \"ssl:helix.invalid:1666\"",
    );
    w.write_config(&broken);
    let before = w.tip(Fusion, "main");
    w.commit(Gitlab, "main", "needs the preflight");
    let run = w.sync();
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("`p4 print -q //.git-fusion/p4gf_config` failed"), "{run}");
    assert_eq!(w.tip(Fusion, "main"), before, "nothing pushed without the preflight");
    let (_, checks) = checks(&w);
    assert!(status(&checks, "change_owner").1.contains("p4 print -q //.git-fusion/p4gf_config"));
}
