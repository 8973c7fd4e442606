//! Confirming pushes reached Perforce (docs/git-fusion.md) and remembering failures (docs/output.md):
//! success, failure (reported, base unchanged, not retried, `--retry-failed`), and timeout.

use gfbridge::fusion::confirm::{judge, Status};

use crate::harness::*;

/// `p4 keys` answers as (key, value) pairs.
type Keys = Vec<(String, String)>;

#[test]
fn status_keys_are_judged_by_what_git_fusion_writes_in_them() {
    let k = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    };
    let repo = "git-fusion-status-acme_0xS_widgets";
    let rows: &[(Keys, Status, &str)] = &[
        (k(&[]), Status::Unknown, "no keys yet"),
        (k(&[(repo, "Push 7 started")]), Status::Unknown, "started"),
        (k(&[(repo, "Push 7 completed successfully")]), Status::Succeeded, "completed"),
        (k(&[(repo, "Push 9 started")]), Status::Succeeded, "a later push while no per-push key"),
        (
            k(&[(repo, "Push 6 completed successfully")]),
            Status::Unknown,
            "an earlier push says nothing",
        ),
        (
            k(&[(repo, "Push 9 started"), (&format!("{repo}-7"), "Push 7 failed: disk full")]),
            Status::Failed("Push 7 failed: disk full".into()),
            "per-push failure wins",
        ),
        (
            k(&[(&format!("{repo}-7"), "Push 7 rejected: locked")]),
            Status::Failed("Push 7 rejected: locked".into()),
            "rejected",
        ),
        (
            k(&[("git-fusion-status-other", "Push 9 completed successfully")]),
            Status::Unknown,
            "another repo",
        ),
    ];
    for (keys, expected, why) in rows {
        assert_eq!(&judge(keys, "acme/widgets", 7), expected, "{why}");
    }
}

fn push_ids(w: &World) -> String {
    std::fs::read_to_string(w.remote(Fusion).join("fusion/push-id")).unwrap_or_default()
}

#[test]
fn a_confirmed_push_moves_the_base() {
    let w = World::new();
    w.seed("main");
    let tip = w.commit(Gitlab, "main", "x");
    let run = w.sync_json();
    assert_eq!(run.code, 0, "{run}");
    let branch = run.branch("main");
    assert_eq!(branch["outcome"], "done");
    assert!(branch["message"].as_str().unwrap_or("").contains("confirmed"), "{run}");
    assert_eq!(w.sync_json().branch("main")["base"], tip.as_str());
}

#[test]
fn a_failed_background_copy_is_reported_remembered_and_not_retried_for_the_same_tips() {
    let w = World::new();
    let base = w.seed("main");
    assert_eq!(w.sync().code, 0, "gfbridge records the base");
    w.set_fusion_settings(
        r#"{"background": "fail", "background_message": "disk full on //depot"}"#,
    );
    let tip = w.commit(Gitlab, "main", "never reaches perforce");
    let run = w.sync_json();
    assert_eq!(run.code, 3, "{run}");
    let branch = run.branch("main");
    assert_eq!(branch["outcome"], "failed");
    assert!(
        branch["message"].as_str().unwrap_or("").contains("failed: disk full on //depot"),
        "{run}"
    );
    // Git Fusion's git side holds the commit, so both sides look equal; the failure still wins.
    assert_eq!(w.tip(Fusion, "main").as_ref(), Some(&tip));
    let ids = push_ids(&w);
    let again = w.sync_json();
    assert_eq!(again.code, 3, "{again}");
    let branch = again.branch("main");
    assert_eq!(branch["action"], "blocked");
    assert_eq!(branch["reasons"][0]["code"], "fusion_rejected");
    assert!(branch["reasons"][0]["commit"].is_null());
    assert_eq!(branch["base"], base.as_str(), "the base did not move");
    assert_eq!(push_ids(&w), ids, "no push was attempted");
    // A new tip ends the remembered failure: the next push goes ahead.
    w.set_fusion_settings(r#"{"background": "ok"}"#);
    let newer = w.commit(Gitlab, "main", "next");
    let run = w.sync_json();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(w.tip(Fusion, "main"), Some(newer));
}

#[test]
fn the_text_summary_counts_a_blocked_branch_both_sides_show_equal_once() {
    let w = World::new();
    w.seed("main");
    assert_eq!(w.sync().code, 0, "gfbridge records the base");
    w.set_fusion_settings(r#"{"background": "fail"}"#);
    w.commit(Gitlab, "main", "never reaches perforce");
    assert_eq!(w.sync().code, 3);
    // Both sides now show the same tip, and the remembered failure blocks the branch.
    let run = w.sync();
    assert_eq!(run.code, 3, "{run}");
    assert!(run.stdout.contains("exit 3: 0 in sync, 0 pushed, 1 need attention\n"), "{run}");
    assert!(!run.stdout.contains("not written"), "{run}");
}

#[test]
fn an_outright_refusal_is_remembered_until_retry_failed() {
    let w = World::new();
    w.seed("main");
    w.set_fusion_settings(r#"{"read_only_instance": true}"#);
    let tip = w.commit(Gitlab, "main", "x");
    let run = w.sync_json();
    assert_eq!((run.code, run.branch("main")["outcome"].as_str()), (3, Some("failed")), "{run}");
    w.set_fusion_settings(r#"{"read_only_instance": false}"#);
    let ids = push_ids(&w);
    let blocked = w.sync_json();
    assert_eq!(blocked.branch("main")["reasons"][0]["code"], "fusion_rejected", "{blocked}");
    assert!(
        blocked.stdout.contains("Push to read-only instance prohibited"),
        "Git Fusion's words: {blocked}"
    );
    assert_eq!(push_ids(&w), ids, "not retried automatically");
    let retried = w.gfbridge(&["sync", "--retry-failed"]);
    assert_eq!(retried.code, 0, "{retried}");
    assert_eq!(w.tip(Fusion, "main"), Some(tip));
}

#[test]
fn an_unconfirmed_push_is_pending_then_blocks_until_git_fusion_confirms() {
    let w = World::new();
    let base = w.seed("main");
    assert_eq!(w.sync().code, 0, "gfbridge records the base");
    w.write_config(&format!("[bridge]\npush_confirm_timeout = \"300ms\"\n{}", w.default_config()));
    w.set_fusion_settings(r#"{"background": "hang"}"#);
    let tip = w.commit(Gitlab, "main", "slow copy");
    let run = w.sync_json();
    assert_eq!(run.code, 0, "pending does not change the exit code: {run}");
    assert_eq!(run.branch("main")["outcome"], "pending");
    let again = w.sync_json();
    assert_eq!(again.code, 3, "{again}");
    assert_eq!(again.branch("main")["reasons"][0]["code"], "fusion_pending");
    assert_eq!(again.branch("main")["base"], base.as_str());
    // Git Fusion finishes the copy: the next run re-checks, forgets it, and the base catches up.
    w.finish_fusion_copies();
    let settled = w.sync_json();
    assert_eq!(settled.code, 0, "{settled}");
    assert_eq!(settled.branch("main")["action"], "in_sync");
    assert_eq!(w.sync_json().branch("main")["base"], tip.as_str());
}

/// A world without `[perforce]` whose Git Fusion remote is reached at a path ending in the
/// repo name (as Git Fusion URLs end), with the stand-in answering `@wait` through git.
fn world_asking_git_fusion_itself() -> World {
    let w = World::new();
    let gf = w.path("gf/acme");
    std::fs::create_dir_all(&gf).expect("dir");
    std::os::unix::fs::symlink(w.remote(Fusion), gf.join("widgets")).expect("symlink");
    let config = DEFAULT_CONFIG.replace("\"fusion.git\"", "\"gf/acme/widgets\"");
    w.write_config(&format!("[bridge]\npush_confirm_timeout = \"2s\"\n{config}"));
    let special = repo_root().join("p4-fixtures/emulator/special_repo.py");
    w.wrap_git(&format!(
        r#"case "$*" in *"@wait@"*) exec python3 '{}' "$WORLD/fusion.git" "$2";; esac"#,
        special.display()
    ));
    w
}

#[test]
fn without_perforce_a_push_is_confirmed_through_git_fusions_wait_repo() {
    let w = world_asking_git_fusion_itself();
    w.seed("main");
    w.commit(Gitlab, "main", "x");
    let run = w.sync_json();
    assert_eq!(run.code, 0, "{run}");
    assert!(run.branch("main")["message"].as_str().unwrap_or("").contains("confirmed"), "{run}");
}

#[test]
fn without_perforce_a_failure_reported_by_wait_is_remembered() {
    let w = world_asking_git_fusion_itself();
    w.seed("main");
    w.set_fusion_settings(r#"{"background": "fail", "background_message": "trigger refused"}"#);
    w.commit(Gitlab, "main", "x");
    let run = w.sync_json();
    assert_eq!(run.code, 3, "{run}");
    assert!(
        run.branch("main")["message"].as_str().unwrap_or("").contains("trigger refused"),
        "{run}"
    );
    assert_eq!(w.sync_json().branch("main")["reasons"][0]["code"], "fusion_rejected");
}

#[test]
fn without_perforce_a_pending_push_is_checked_again_through_wait() {
    let w = world_asking_git_fusion_itself();
    w.seed("main");
    assert_eq!(w.sync().code, 0, "gfbridge records the base");
    w.set_fusion_settings(r#"{"background": "hang"}"#);
    let tip = w.commit(Gitlab, "main", "x");
    let run = w.sync_json();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.branch("main")["outcome"], "pending");
    let again = w.sync_json();
    assert_eq!(again.branch("main")["reasons"][0]["code"], "fusion_pending", "{again}");
    // Git Fusion finishes: the next run asks @wait again and settles the branch.
    w.finish_fusion_copies();
    let settled = w.sync_json();
    assert_eq!(settled.code, 0, "{settled}");
    assert_eq!(settled.branch("main")["action"], "in_sync", "{settled}");
    assert_eq!(w.sync_json().branch("main")["base"], tip.as_str());
}

#[test]
fn a_push_that_cannot_be_confirmed_is_pending_and_keeps_the_base() {
    let w = World::new();
    // No [perforce], and a Git Fusion address that does not end with the repo name: no @wait.
    w.write_config(DEFAULT_CONFIG);
    let base = w.seed("main");
    assert_eq!(w.sync().code, 0, "gfbridge records the base");
    let tip = w.commit(Gitlab, "main", "x");
    let run = w.sync_json();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.branch("main")["outcome"], "pending", "{run}");
    assert_eq!(w.tip(Fusion, "main").as_ref(), Some(&tip), "the push itself happened");
    let again = w.sync_json();
    assert_eq!(again.code, 3, "{again}");
    assert_eq!(again.branch("main")["reasons"][0]["code"], "fusion_pending");
    assert_eq!(again.branch("main")["base"], base.as_str(), "the base did not move");
}

#[test]
fn retry_failed_forgets_a_pending_push_too() {
    let w = World::new();
    w.seed("main");
    w.write_config(&format!("[bridge]\npush_confirm_timeout = \"300ms\"\n{}", w.default_config()));
    w.set_fusion_settings(r#"{"background": "hang"}"#);
    let tip = w.commit(Gitlab, "main", "slow copy");
    assert_eq!(w.sync_json().branch("main")["outcome"], "pending");
    assert_eq!(w.sync_json().branch("main")["reasons"][0]["code"], "fusion_pending");
    let retried = w.gfbridge(&["sync", "--retry-failed", "--format", "json"]);
    assert_eq!(retried.code, 0, "{retried}");
    assert_eq!(retried.branch("main")["action"], "in_sync", "{retried}");
    assert_eq!(w.sync_json().branch("main")["base"], tip.as_str());
}

#[test]
fn wait_urls_and_wait_output_are_read_as_git_fusion_writes_them() {
    use gfbridge::fusion::confirm::{judge_wait_output, wait_url};
    assert_eq!(
        wait_url("git@gf.example.com:acme/widgets", "acme/widgets", 7).as_deref(),
        Some("git@gf.example.com:@wait@acme/widgets@7")
    );
    assert_eq!(
        wait_url("https://gf.example.com/acme/widgets.git", "acme/widgets", 7).as_deref(),
        Some("https://gf.example.com/@wait@acme/widgets@7")
    );
    assert_eq!(wait_url("/srv/mirror.git", "acme/widgets", 7), None);
    let done = "remote: Waiting for push 7...\nremote: Push 7 completed successfully\nfatal: The remote end hung up unexpectedly\n";
    assert_eq!(judge_wait_output(done, 7), Status::Succeeded);
    assert_eq!(
        judge_wait_output("Push 7 failed: disk full\n", 7),
        Status::Failed("Push 7 failed: disk full".into())
    );
    assert_eq!(judge_wait_output("No status available\n", 7), Status::Unknown);
}

#[test]
fn a_push_that_cannot_be_confirmed_is_pending_and_journalled_not_lost() {
    let w = World::new();
    w.seed("main");
    let tip = w.commit(Gitlab, "main", "x");
    // p4 answers the preflight's calls, then breaks before the confirmation's `keys` call.
    let p4 = w.path("p4-breaks-on-keys");
    std::fs::write(
        &p4,
        format!("#!/bin/sh\ncase \"$*\" in *keys*) echo 'Perforce password (P4PASSWD) invalid or unset.' >&2; exit 1;; esac\nexec '{}' \"$@\"\n", repo_root().join("p4-fixtures/p4").display()),
    )
    .expect("p4 wrapper");
    run_ok(std::process::Command::new("chmod").arg("+x").arg(&p4));
    w.write_config(&format!(
        "[bridge]\npush_confirm_timeout = \"300ms\"\n{}",
        w.default_config().replace(
            &format!("p4 = \"{}\"", repo_root().join("p4-fixtures/p4").display()),
            &format!("p4 = \"{}\"", p4.display()),
        )
    ));
    let run = w.sync_json();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.branch("main")["outcome"], "pending");
    assert_eq!(w.tip(Fusion, "main"), Some(tip));
    let journal = w.journal();
    assert_eq!(journal.last().expect("journal")["outcome"], "pending", "the push is journalled");
}
