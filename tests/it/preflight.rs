//! The preflight's reason codes (docs/git-fusion.md) end to end: for each, a case where it fires (the branch is blocked,
//! Git Fusion is untouched, and the stand-in rejects the same push made with plain git) and
//! a case where it must not.

use crate::harness::*;

/// Asserts that main was blocked for `code` and nothing reached Git Fusion.
fn assert_blocked(w: &World, code: &str) -> serde_json::Value {
    let fusion_before = w.tip(Fusion, "main");
    let changes = w.changelists().len();
    let run = w.sync_json();
    assert_eq!(run.code, 3, "{code}: {run}");
    let branch = run.branch("main");
    assert_eq!(branch["action"], "blocked", "{code}: {run}");
    let reasons = branch["reasons"].as_array().expect("reasons").clone();
    assert!(
        reasons.iter().any(|r| r["code"] == code && r["blocks"] == true),
        "{code}: {reasons:#?}"
    );
    assert_eq!(w.tip(Fusion, "main"), fusion_before, "{code}: fusion untouched");
    assert_eq!(w.changelists().len(), changes, "{code}: nothing reached Perforce");
    let refusal = w.journal().pop().expect("journal");
    assert_eq!(
        (refusal["outcome"].as_str(), refusal["remote"].as_str()),
        (Some("refused"), Some("fusion"))
    );
    branch
}

/// Asserts that Git Fusion's stand-in refuses the same push with `message`.
fn assert_fusion_rejects(w: &World, message: &str) {
    let (accepted, said) = w.plain_push_to_fusion(Gitlab, "refs/heads/main:refs/heads/main");
    assert!(!accepted, "the stand-in accepted what gfbridge blocked: {said}");
    assert!(said.contains(message), "expected `{message}` from the stand-in: {said}");
}

fn assert_pushed(w: &World) -> serde_json::Value {
    let run = w.sync_json();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(w.tip(Fusion, "main"), w.tip(Gitlab, "main"));
    run.branch("main")
}

fn seeded() -> World {
    let w = World::new();
    w.seed("main");
    w
}

#[test]
fn change_owner_pusher_blocks_every_push_to_fusion() {
    let w = seeded();
    w.global_config("[git-to-perforce]\nchange-owner = Pusher\n");
    w.commit(Gitlab, "main", "x");
    let branch = assert_blocked(&w, "change_owner_pusher");
    assert!(branch["reasons"][0]["commit"].is_null(), "a branch reason has no commit");
    // What Git Fusion would really do: the changelist belongs to the mirroring account.
    let (accepted, _) = w.plain_push_to_fusion(Gitlab, "refs/heads/main:refs/heads/main");
    assert!(accepted);
    assert_eq!(w.changelists().pop().expect("cl")["owner"], "gitlab-mirror");
}

#[test]
fn change_owner_author_in_repo_file_overrides_global_pusher() {
    let w = seeded();
    w.global_config("[git-to-perforce]\nchange-owner = pusher\n");
    w.repo_config("[@repo]\nchange-owner = author\n");
    w.commit(Gitlab, "main", "x");
    assert_pushed(&w);
    assert_eq!(w.changelists().pop().expect("cl")["owner"], "jdoe");
}

#[test]
fn change_owner_in_repo_git_to_perforce_section_is_ignored_like_git_fusion_does() {
    let w = seeded();
    w.global_config("[git-to-perforce]\nchange-owner = pusher\n");
    w.repo_config("[git-to-perforce]\nchange-owner = author\n");
    w.commit(Gitlab, "main", "x");
    assert_blocked(&w, "change_owner_pusher");
}

#[test]
fn unmapped_author_blocks_when_unknown_git_does_not_exist() {
    let w = seeded();
    w.remove_p4_user("unknown_git");
    w.set_author("Zed", "zed@nowhere.test");
    w.commit(Gitlab, "main", "x");
    let branch = assert_blocked(&w, "unmapped_author");
    assert!(branch["reasons"][0]["message"].as_str().unwrap_or("").contains("zed@nowhere.test"));
    assert_fusion_rejects(&w, "User 'zed@nowhere.test' not permitted to commit");
}

#[test]
fn unknown_git_author_is_reported_and_pushed_by_default() {
    let w = seeded();
    w.set_author("Zed", "zed@nowhere.test");
    w.commit(Gitlab, "main", "x");
    let branch = assert_pushed(&w);
    assert_eq!(branch["reasons"][0]["code"], "unknown_git_author");
    assert_eq!(branch["reasons"][0]["blocks"], false);
    assert_eq!(w.changelists().pop().expect("cl")["owner"], "unknown_git");
}

#[test]
fn an_authors_repeated_finding_is_kept_once_with_its_count() {
    let w = seeded();
    w.set_author("Zed", "zed@nowhere.test");
    let first = w.commit(Gitlab, "main", "one");
    w.commit(Gitlab, "main", "two");
    w.commit(Gitlab, "main", "three");
    let branch = assert_pushed(&w);
    let reasons = branch["reasons"].as_array().expect("reasons");
    assert_eq!(reasons.len(), 1, "one note for the author, not one per commit: {branch}");
    assert_eq!(reasons[0]["commit"], first.as_str(), "the first commit is named");
    let message = reasons[0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("zed@nowhere.test") && message.contains("(and in 2 later commit(s))"),
        "{message}"
    );
    assert_eq!(branch["commits"].as_array().map(Vec::len), Some(3), "every commit is still listed");
}

#[test]
fn unknown_git_author_blocks_with_on_unmapped_author_block() {
    let w = seeded();
    w.write_config(&format!("[bridge]\non_unmapped_author = \"block\"\n{}", w.default_config()));
    w.set_author("Zed", "zed@nowhere.test");
    w.commit(Gitlab, "main", "x");
    assert_blocked(&w, "unknown_git_author");
}

#[test]
fn author_override_mismatch_blocks_until_git_fusion_agrees() {
    let w = seeded();
    w.write_config(&format!("[authors]\n\"Jane@Example.com\" = \"jane\"\n{}", w.default_config()));
    w.commit(Gitlab, "main", "x");
    let branch = assert_blocked(&w, "author_override_mismatch");
    assert!(branch["reasons"][0]["message"].as_str().unwrap_or("").contains("`jdoe`"), "{branch}");
    w.write_config(&format!("[authors]\n\"jane@example.com\" = \"jdoe\"\n{}", w.default_config()));
    assert_pushed(&w);
}

#[test]
fn merge_commits_block_only_when_disabled() {
    for enabled in [false, true] {
        let w = seeded();
        w.global_config(&format!(
            "[git-to-perforce]\nenable-git-merge-commits = {}\n",
            if enabled { "yes" } else { "no" }
        ));
        let base = w.tip(Gitlab, "main").expect("tip");
        let side = w.make_commit_with(
            Gitlab,
            std::slice::from_ref(&base),
            &[("side.txt", Entry::File("s"))],
            "side",
        );
        let main = w.commit(Gitlab, "main", "main work");
        let merge = w.make_commit_with(Gitlab, &[main, side], &[], "merge");
        w.set_branch(Gitlab, "main", &merge);
        if enabled {
            assert_pushed(&w);
        } else {
            assert_blocked(&w, "merge_commits_disabled");
            assert_fusion_rejects(&w, "Merge commits are not enabled for this repo.");
        }
    }
}

#[test]
fn submodules_block_only_when_disabled() {
    for enabled in [false, true] {
        let w = seeded();
        w.global_config(&format!(
            "[git-to-perforce]\nenable-git-submodules = {}\n",
            if enabled { "yes" } else { "no" }
        ));
        let target = "1234567890123456789012345678901234567890".to_string();
        w.commit_files(Gitlab, "main", &[("vendor/lib", Entry::Gitlink(target))], "add submodule");
        if enabled {
            assert_pushed(&w);
        } else {
            let branch = assert_blocked(&w, "submodules_disabled");
            assert!(branch["reasons"][0]["message"].as_str().unwrap_or("").contains("vendor/lib"));
            assert_fusion_rejects(&w, "Git submodules not permitted: path=vendor/lib");
        }
    }
}

#[test]
fn branch_creation_disabled_blocks_new_branches_not_defined_in_the_repo_config() {
    let w = seeded();
    w.global_config("[git-to-perforce]\nenable-git-branch-creation = no\n");
    w.repo_config("[@repo]\ndescription = w\n[widgets-rel]\ngit-branch-name = release/2.0\nview = //depot/w/rel/... ...\n");
    w.commit(Gitlab, "release/3.0", "undefined branch");
    w.commit(Gitlab, "release/2.0", "defined branch");
    let run = w.sync_json();
    assert_eq!(run.code, 3, "{run}");
    assert_eq!(run.branch("release/3.0")["action"], "blocked");
    assert_eq!(run.branch("release/3.0")["reasons"][0]["code"], "branch_creation_disabled");
    assert_eq!(run.branch("release/2.0")["outcome"], "done", "defined in p4gf_config: allowed");
    assert_eq!(w.tip(Fusion, "release/3.0"), None);
    let (accepted, said) =
        w.plain_push_to_fusion(Gitlab, "refs/heads/release/3.0:refs/heads/release/3.0");
    assert!(
        !accepted && said.contains("Branch creation is not authorized for this repo."),
        "{said}"
    );
}

#[test]
fn read_only_repo_or_branch_blocks() {
    let w = seeded();
    w.repo_config("[@repo]\nread-only = yes\n");
    w.commit(Gitlab, "main", "x");
    assert_blocked(&w, "read_only");
    assert_fusion_rejects(&w, "Push to repo acme/widgets prohibited.");
    w.repo_config("[@repo]\nread-only = no\n[widgets-main]\ngit-branch-name = main\nread-only = yes\nview = //d/... ...\n");
    assert_blocked(&w, "read_only");
    assert_fusion_rejects(&w, "Push to branch main prohibited.");
    w.repo_config("[@repo]\nread-only = no\n");
    assert_pushed(&w);
}

#[test]
fn invalid_paths_block_and_escaped_paths_are_reported() {
    for (path, code, message) in [
        ("docs/a...b.txt", "invalid_path", "Perforce: bad filename (...)"),
        (
            "docs/tab\there.txt",
            "invalid_path",
            "Non-printable characters not allowed in Perforce: character x09",
        ),
    ] {
        let w = seeded();
        w.commit_files(Gitlab, "main", &[(path, Entry::File("x"))], "bad path");
        assert_blocked(&w, code);
        assert_fusion_rejects(&w, message);
    }
    let w = seeded();
    w.commit_files(Gitlab, "main", &[("docs/50%@home#1*.txt", Entry::File("x"))], "escaped");
    let branch = assert_pushed(&w);
    assert_eq!(branch["reasons"][0]["code"], "escaped_path");
    assert_eq!(branch["reasons"][0]["blocks"], false);
}

#[test]
fn case_conflicts_block_only_on_a_case_insensitive_server() {
    for insensitive in [true, false] {
        let w = seeded();
        if insensitive {
            w.fusion_file("info.json", "{\"caseHandling\": \"insensitive\"}");
        }
        w.commit_files(Gitlab, "main", &[("src/Readme.md", Entry::File("a"))], "one");
        w.commit_files(Gitlab, "main", &[("src/README.md", Entry::File("b"))], "two");
        if insensitive {
            let branch = assert_blocked(&w, "case_conflict");
            assert!(branch["reasons"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("src/Readme.md"));
            assert_fusion_rejects(&w, "Case conflicts:");
        } else {
            assert_pushed(&w);
        }
    }
}

#[test]
fn case_handling_from_config_replaces_p4_info() {
    let w = seeded();
    w.write_config(
        &w.default_config()
            .replace("[perforce]\n", "[perforce]\ncase_handling = \"insensitive\"\n"),
    );
    w.commit_files(
        Gitlab,
        "main",
        &[("a.txt", Entry::File("a")), ("A.txt", Entry::File("b"))],
        "twins",
    );
    assert_blocked(&w, "case_conflict");
}

#[test]
fn a_blocked_branch_does_not_stop_the_others() {
    let w = seeded();
    w.seed("release/1.0");
    w.commit_files(Gitlab, "main", &[("bad...name", Entry::File("x"))], "bad");
    let good = w.commit(Gitlab, "release/1.0", "fine");
    let run = w.sync();
    assert_eq!(run.code, 3, "{run}");
    assert!(run.stdout.contains("blocks: invalid_path"), "reasons are printed: {run}");
    assert_eq!(w.tip(Fusion, "release/1.0"), Some(good));
}

#[test]
fn dry_run_blocks_the_same_way() {
    let w = seeded();
    w.repo_config("[@repo]\nread-only = yes\n");
    w.commit(Gitlab, "main", "x");
    let run = w.gfbridge(&["sync", "--dry-run", "--format", "json"]);
    assert_eq!(run.code, 3, "{run}");
    assert_eq!(run.branch("main")["action"], "blocked");
    assert!(w.journal().is_empty());
}

/// main's view maps only `src/`: the seed commit's `seed-main.txt` sits outside it.
const SRC_ONLY: &str =
    "[widgets-main]\ngit-branch-name = main\nview = //depot/w/main/src/... src/...\n";

#[test]
fn not_in_view_blocks_a_file_outside_the_branch_view_naming_the_path() {
    let w = seeded();
    w.repo_config(SRC_ONLY);
    w.commit_files(Gitlab, "main", &[("docs/guide.md", Entry::File("g"))], "outside");
    let branch = assert_blocked(&w, "not_in_view");
    let reason = &branch["reasons"][0];
    assert_eq!(reason["path"], "docs/guide.md", "{reason}");
    assert!(reason["message"].as_str().unwrap().contains("docs/guide.md"), "{reason}");
    assert_fusion_rejects(&w, "file(s) not in client view");
}

#[test]
fn not_in_view_counts_deletions_too() {
    let w = seeded();
    w.repo_config(SRC_ONLY);
    w.commit_files(Gitlab, "main", &[("seed-main.txt", Entry::Removed)], "delete outside");
    let branch = assert_blocked(&w, "not_in_view");
    assert_eq!(branch["reasons"][0]["path"], "seed-main.txt");
    assert_fusion_rejects(&w, "file(s) not in client view");
}

#[test]
fn files_inside_the_view_pass_and_branches_without_a_known_view_are_not_judged() {
    let w = seeded();
    w.repo_config(SRC_ONLY);
    w.commit_files(Gitlab, "main", &[("src/a.c", Entry::File("int a;"))], "inside");
    assert!(assert_pushed(&w)["reasons"].as_array().unwrap().is_empty());
    // A view gfbridge cannot read is never guessed at: nothing is blocked on it.
    w.repo_config("[widgets-main]\ngit-branch-name = main\nview = //depot/w/main/... *\n");
    w.commit_files(Gitlab, "main", &[("docs/x.md", Entry::File("x"))], "unreadable view");
    let run = w.sync_json();
    assert!(
        run.branch("main")["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["code"] != "not_in_view"),
        "{run}"
    );
}

#[test]
fn empty_commit_blocks_unless_the_view_maps_the_top_level_placeholder() {
    let w = seeded();
    w.repo_config(SRC_ONLY);
    let tip = w.tip(Gitlab, "main").unwrap();
    w.commit_files(Gitlab, "main", &[], "empty");
    let branch = assert_blocked(&w, "empty_commit");
    assert!(branch["reasons"][0]["message"]
        .as_str()
        .unwrap()
        .contains(".p4gf_empty_changelist_placeholder"));
    assert_fusion_rejects(&w, "not permitted. Git Fusion branch views must include root");
    // A merge whose tree equals its first parent's is empty too.
    w.set_branch(Gitlab, "main", &tip);
    let side = w.make_commit_with(
        Gitlab,
        std::slice::from_ref(&tip),
        &[("src/side.c", Entry::File("s"))],
        "side",
    );
    let merge = w.make_commit_with(Gitlab, &[tip.clone(), side], &[], "merge keeping main's tree");
    w.set_branch(Gitlab, "main", &merge);
    assert_blocked(&w, "empty_commit");
    // With the whole branch in view the placeholder is mapped, and the empty commit passes.
    w.repo_config("[widgets-main]\ngit-branch-name = main\nview = //depot/w/main/... ...\n");
    w.set_branch(Gitlab, "main", &tip);
    w.commit_files(Gitlab, "main", &[], "empty, mapped");
    assert_pushed(&w);
}

/// main's whole branch in view; Jane's commits map to jdoe; the bridge pushes as gitlab-mirror.
fn with_protections(w: &World, extra: &str) {
    w.repo_config("[widgets-main]\ngit-branch-name = main\nview = //depot/w/main/... ...\n");
    w.write_config(&format!(
        "{}client_host = \"127.0.0.1\"\npusher = \"gitlab-mirror\"\n{extra}{DEFAULT_CONFIG}",
        w.perforce_section()
    ));
}

const TABLE: &str = r#"{"perm":"write","host":"*","user":"*","depotFile":"//..."}
{"perm":"read","host":"*","user":"jdoe","depotFile":"//depot/w/main/docs/..."}
{"perm":"write","host":"*","user":"jdoe","depotFile":"-//depot/w/main/secret/...","unmap":""}
{"perm":"write","host":"*","user":"gitlab-mirror","depotFile":"-//depot/w/main/ci/...","unmap":""}
"#;

#[test]
fn permission_denied_names_the_user_path_and_depot_path_online() {
    let w = seeded();
    w.fusion_file("protects.jsonl", TABLE);
    with_protections(&w, "");
    w.commit_files(Gitlab, "main", &[("secret/key.pem", Entry::File("k"))], "author may not");
    let branch = assert_blocked(&w, "permission_denied");
    let r = &branch["reasons"][0];
    assert_eq!(
        (&r["user"], &r["path"], &r["depot_path"]),
        (&"jdoe".into(), &"secret/key.pem".into(), &"//depot/w/main/secret/key.pem".into()),
        "{r}"
    );
    assert_fusion_rejects(&w, "user 'jdoe' not authorized to submit file(s) in git commit");
    let calls = std::fs::read_to_string(w.remote(Fusion).join("fusion/p4-calls.log")).unwrap();
    assert!(calls.contains("\"protects\", \"-u\", \"jdoe\", \"-h\", \"127.0.0.1\""), "{calls}");
}

#[test]
fn the_pusher_is_checked_when_it_is_not_the_author_and_a_read_line_takes_nothing_away() {
    let w = seeded();
    w.fusion_file("protects.jsonl", TABLE);
    with_protections(&w, "");
    w.commit_files(Gitlab, "main", &[("ci/build.yml", Entry::File("b"))], "pusher may not");
    let branch = assert_blocked(&w, "permission_denied");
    assert_eq!(branch["reasons"][0]["user"], "gitlab-mirror");
    assert_fusion_rejects(&w, "user 'gitlab-mirror' not authorized");
    // Back to a tip Git Fusion has; docs/ is under a later `read` line: write stays.
    let fusion_tip = w.tip(Fusion, "main").unwrap();
    w.set_branch(Gitlab, "main", &fusion_tip);
    w.commit_files(Gitlab, "main", &[("docs/guide.md", Entry::File("g"))], "allowed");
    assert_pushed(&w);
}

#[test]
fn offline_tables_predict_the_same_without_asking_the_server() {
    let w = seeded();
    w.fusion_file("protects.jsonl", TABLE);
    std::fs::write(w.path("protects.jsonl"), TABLE).unwrap();
    with_protections(&w, "protects_file = \"protects.jsonl\"\n");
    w.commit_files(Gitlab, "main", &[("secret/key.pem", Entry::File("k"))], "author may not");
    let branch = assert_blocked(&w, "permission_denied");
    assert_eq!(branch["reasons"][0]["user"], "jdoe");
    let calls = std::fs::read_to_string(w.remote(Fusion).join("fusion/p4-calls.log")).unwrap();
    assert!(!calls.contains("protects"), "offline: no protects call: {calls}");
}

#[test]
fn without_super_access_nothing_is_blocked_on_a_guess_and_git_fusion_still_decides() {
    let w = seeded();
    w.fusion_file("protects.jsonl", TABLE);
    w.fusion_file("no-super", "");
    with_protections(&w, "");
    w.commit_files(Gitlab, "main", &[("secret/key.pem", Entry::File("k"))], "unknown to us");
    let run = w.sync_json();
    let branch = run.branch("main");
    assert_ne!(branch["action"], "blocked", "never blocked on a guess: {run}");
    assert_eq!(branch["outcome"], "failed", "Git Fusion's refusal is caught: {run}");
    let protections = w.gfbridge(&["check", "--format", "json"]).check("protections");
    // The server refused the question: not checked, never a pass (and not a guess either).
    assert_eq!(protections["status"], "skip", "{protections}");
    let message = protections["message"].as_str().unwrap();
    assert!(message.starts_with("not checked:") && message.contains("permission"), "{protections}");
}

#[test]
fn with_creation_off_an_existing_undefined_branch_is_refused_too() {
    // Reference §8.0 item 5: only a p4gf_config section makes a branch "defined"; an existing
    // branch without one is lightweight, and Git Fusion refuses pushes to it.
    let w = seeded();
    w.seed("release/3.0");
    w.global_config("[git-to-perforce]\nenable-git-branch-creation = no\n");
    w.repo_config("[widgets-main]\ngit-branch-name = main\nview = //depot/w/main/... ...\n");
    w.commit(Gitlab, "release/3.0", "to a lightweight branch");
    w.commit(Gitlab, "main", "to a defined branch");
    let run = w.sync_json();
    assert_eq!(run.code, 3, "{run}");
    assert_eq!(
        run.branch("release/3.0")["reasons"][0]["code"],
        "branch_creation_disabled",
        "{run}"
    );
    assert_eq!(run.branch("main")["outcome"], "done");
    let (accepted, said) =
        w.plain_push_to_fusion(Gitlab, "refs/heads/release/3.0:refs/heads/release/3.0");
    assert!(!accepted && said.contains("Branch creation is not authorized"), "{said}");
}

#[test]
fn depot_branch_creation_all_lets_a_new_branch_through_and_depot_branch_names_need_explicit() {
    let w = seeded();
    w.global_config(
        "[git-to-perforce]\nenable-git-branch-creation = no\ndepot-branch-creation-enable = all\n",
    );
    w.repo_config("[widgets-main]\ngit-branch-name = main\nview = //depot/w/main/... ...\n");
    w.commit(Gitlab, "release/4.0", "made fully populated by Git Fusion");
    let run = w.sync_json();
    assert_eq!(run.branch("release/4.0")["outcome"], "done", "{run}");
    // A new depot-branch/<x> ref is refused unless the mode is `explicit`.
    let config = w
        .default_config()
        .replace("[\"main\", \"release/*\"]", "[\"main\", \"release/*\", \"depot-branch/*\"]");
    w.write_config(&config);
    w.commit(Gitlab, "depot-branch/tools", "asks for a depot branch");
    let run = w.sync_json();
    let branch = run.branch("depot-branch/tools");
    assert_eq!(branch["reasons"][0]["code"], "branch_creation_disabled", "{run}");
    let (accepted, said) = w.plain_push_to_fusion(
        Gitlab,
        "refs/heads/depot-branch/tools:refs/heads/depot-branch/tools",
    );
    assert!(!accepted && said.contains("depot-branch creation disabled"), "{said}");
}

#[test]
fn a_new_branch_takes_the_view_of_the_branch_it_grows_from() {
    let w = seeded();
    w.repo_config(SRC_ONLY);
    let main = w.tip(Gitlab, "main").unwrap();
    w.set_branch(Gitlab, "release/5.0", &main);
    w.commit_files(Gitlab, "release/5.0", &[("docs/outside.md", Entry::File("o"))], "new branch");
    let run = w.sync_json();
    let branch = run.branch("release/5.0");
    assert_eq!(branch["action"], "blocked", "{run}");
    assert_eq!(branch["reasons"][0]["code"], "not_in_view", "main's view, src/ only: {run}");
    let (accepted, said) =
        w.plain_push_to_fusion(Gitlab, "refs/heads/release/5.0:refs/heads/release/5.0");
    assert!(!accepted && said.contains("file(s) not in client view"), "{said}");
}

#[test]
fn a_new_branch_whose_parent_two_differently_viewed_branches_hold_is_not_guessed_at() {
    let w = seeded();
    let main = w.tip(Gitlab, "main").unwrap();
    w.set_branch(Gitlab, "release/1.0", &main); // both hold main's commits in Git Fusion
    w.push_across(Gitlab, Fusion, "release/1.0");
    w.repo_config(&format!(
        "{SRC_ONLY}[widgets-rel]\ngit-branch-name = release/1.0\nview = //depot/w/rel/... ...\n"
    ));
    w.set_branch(Gitlab, "release/6.0", &main);
    w.commit_files(Gitlab, "release/6.0", &[("docs/x.md", Entry::File("x"))], "ambiguous parent");
    let run = w.sync_json();
    let reasons = run.branch("release/6.0")["reasons"].as_array().unwrap().clone();
    assert!(reasons.iter().all(|r| r["code"] != "not_in_view"), "no guess: {reasons:#?}");
}

#[test]
fn an_existing_lightweight_branch_is_judged_by_the_view_p4gf_config2_records() {
    let w = seeded();
    let main = w.tip(Gitlab, "main").unwrap();
    w.set_branch(Gitlab, "release/7.0", &main);
    w.push_across(Gitlab, Fusion, "release/7.0");
    w.repo_config("[widgets-main]\ngit-branch-name = main\nview = //depot/w/main/... ...\n");
    w.fusion_file(
        "depot/.git-fusion/repos/acme_0xS_widgets/p4gf_config2",
        "[Zq4GSfnRSYyU0lLaV7pkEw==]\ngit-branch-name = release/7.0\nview = //.git-fusion/branches/acme_0xS_widgets/k3/q9/x/depot/w/main/src/... src/...\ndepot-branch-id = k3q9x\n",
    );
    w.commit_files(Gitlab, "release/7.0", &[("docs/y.md", Entry::File("y"))], "outside its view");
    let run = w.sync_json();
    let branch = run.branch("release/7.0");
    assert_eq!(branch["reasons"][0]["code"], "not_in_view", "{run}");
    let (accepted, said) =
        w.plain_push_to_fusion(Gitlab, "refs/heads/release/7.0:refs/heads/release/7.0");
    assert!(!accepted && said.contains("file(s) not in client view"), "{said}");
    let calls = std::fs::read_to_string(w.remote(Fusion).join("fusion/p4-calls.log")).unwrap();
    assert!(calls.contains("acme_0xS_widgets/p4gf_config2"), "{calls}");
}

#[test]
fn case_conflicts_are_whole_paths_named_with_their_depot_paths() {
    let w = seeded();
    w.fusion_file("info.json", "{\"caseHandling\": \"insensitive\"}");
    w.repo_config("[widgets-main]\ngit-branch-name = main\nview = //depot/w/main/... ...\n");
    // Directories that differ only in case hold different files: no conflict (Git Fusion
    // compares whole paths).
    w.commit_files(
        Gitlab,
        "main",
        &[("Docs/a.md", Entry::File("a")), ("docs/b.md", Entry::File("b"))],
        "two files",
    );
    assert_pushed(&w);
    w.commit_files(
        Gitlab,
        "main",
        &[("docs/A.md", Entry::File("twin"))],
        "the same file but for case",
    );
    let branch = assert_blocked(&w, "case_conflict");
    let reasons = branch["reasons"].as_array().unwrap().clone();
    let reason = reasons.iter().find(|r| r["code"] == "case_conflict").unwrap();
    assert!(reason["message"].as_str().unwrap().contains("//depot/w/main/"), "{reason}");
    assert_fusion_rejects(&w, "Case conflicts:");
}

/// Git Fusion tests write permission on the join of the checked users' write maps with the
/// view: with an overlay (`+`) line, a file passes when any of its depot paths — the visible
/// one or the one it shadows — is writable by every checked user.
#[test]
fn a_file_an_overlay_line_shadows_passes_when_the_shadowed_depot_path_is_writable() {
    let w = seeded();
    let table = |pusher_may: &str| {
        format!(
            "{{\"perm\":\"write\",\"host\":\"*\",\"user\":\"jdoe\",\"depotFile\":\"//...\"}}\n\
             {{\"perm\":\"write\",\"host\":\"*\",\"user\":\"gitlab-mirror\",\"depotFile\":\"{pusher_may}\"}}\n\
             {{\"perm\":\"write\",\"host\":\"*\",\"user\":\"git-fusion-user\",\"depotFile\":\"//...\"}}\n"
        )
    };
    w.fusion_file("protects.jsonl", &table("//depot/w/main/..."));
    with_protections(&w, "");
    w.repo_config(
        "[widgets-main]\ngit-branch-name = main\nview = //depot/w/main/... ...\n\t+//depot/shared/Docs/... Docs/...\n",
    );
    // Visible: //depot/shared/Docs/deep/z.tmp, which the pusher may not write; shadowed:
    // //depot/w/main/Docs/deep/z.tmp, which every checked user may write. Git Fusion accepts.
    w.commit_files(Gitlab, "main", &[("Docs/deep/z.tmp", Entry::File("z"))], "through the overlay");
    assert_pushed(&w);
    // When neither depot path is writable by the pusher, it is refused, naming the visible one.
    w.fusion_file("protects.jsonl", &table("//depot/other/..."));
    w.commit_files(Gitlab, "main", &[("Docs/deep/y.tmp", Entry::File("y"))], "nowhere to write");
    let branch = assert_blocked(&w, "permission_denied");
    let r = &branch["reasons"][0];
    assert_eq!(
        (&r["user"], &r["depot_path"]),
        (&"gitlab-mirror".into(), &"//depot/shared/Docs/deep/y.tmp".into()),
        "{r}"
    );
    assert_fusion_rejects(&w, "user 'gitlab-mirror' not authorized");
}
