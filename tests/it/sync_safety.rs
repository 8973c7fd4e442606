//! What keeps history safe under stress: cost of a no-op, lost races, the lock, kill -9,
//! a deleted cache, dry runs, and secrets in remote URLs.

use std::process::Stdio;
use std::time::Duration;

use crate::harness::*;

#[test]
fn noop_sync_only_lists_both_remotes() {
    let w = World::new();
    w.wrap_git(r#"echo "$*" >> "$WORLD/git-calls""#);
    w.seed("main");
    w.commit(Gitlab, "release/1.0", "r");
    assert_eq!(w.sync().code, 0);
    std::fs::remove_file(w.path("git-calls")).expect("first run called git");
    for args in [&["sync"][..], &["sync", "--dry-run"][..]] {
        let run = w.gfbridge(args);
        assert_eq!(run.code, 0, "{run}");
        let calls = std::fs::read_to_string(w.path("git-calls")).expect("calls");
        let calls: Vec<&str> = calls.lines().collect();
        assert_eq!(calls.len(), 2, "{args:?} ran: {calls:#?}");
        assert!(calls.iter().all(|c| c.starts_with("ls-remote --heads")), "{calls:#?}");
        std::fs::remove_file(w.path("git-calls")).expect("reset");
    }
}

#[test]
fn commit_mirrored_to_fusion_is_not_fetched_back_from_it_next_run() {
    let w = World::new();
    // Unconfirmable pushes (no @wait address): the base stays behind what was pushed, so
    // only what the push itself recorded tells the cache it holds Git Fusion's new tip.
    w.write_config(DEFAULT_CONFIG);
    w.seed("main");
    assert_eq!(w.sync().code, 0);
    w.commit(Gitlab, "main", "c2");
    assert_eq!(w.sync_json().branch("main")["outcome"], "pending");
    w.wrap_git(r#"echo "$*" >> "$WORLD/git-calls""#);
    let c3 = w.commit(Gitlab, "main", "c3");
    let run = w.gfbridge(&["sync", "--retry-failed"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(w.tip(Fusion, "main"), Some(c3));
    let calls = std::fs::read_to_string(w.path("git-calls")).expect("calls");
    let fetches: Vec<&str> = calls.lines().filter(|c| c.split(' ').any(|w| w == "fetch")).collect();
    assert_eq!(fetches.len(), 1, "only GitLab's new commit is fetched: {calls}");
    assert!(fetches[0].contains("gitlab.git"), "{calls}");
}

/// A wrapper git that, just before each push, moves Git Fusion's main one commit further
/// along GitLab's history (the next id in `race-queue`), as a competing mirror would.
const RACER: &str = r#"
case " $* " in *" push "*)
  next=$(head -n 1 "$WORLD/race-queue")
  if [ -n "$next" ]; then
    sed -i 1d "$WORLD/race-queue"
    "$REAL_GIT" --git-dir="$WORLD/gitlab.git" push -q "$WORLD/fusion.git" "$next:refs/heads/main" 2>/dev/null || exit 99
  fi ;;
esac"#;

#[test]
fn lost_race_leaves_both_sides_untouched_and_is_planned_again() {
    let w = World::new();
    w.seed("main");
    let c2 = w.commit(Gitlab, "main", "c2");
    w.wrap_git(RACER);
    // The competitor mirrors exactly what we planned: our lease fails, the replan finds both equal.
    std::fs::write(w.path("race-queue"), format!("{c2}\n")).expect("queue");
    let run = w.sync_json();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.branch("main")["action"], "in_sync", "replanned from fresh tips: {run}");
    assert_eq!(w.tip(Fusion, "main"), Some(c2));
    let journal = w.journal();
    let outcomes: Vec<&str> = journal.iter().filter_map(|e| e["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["started", "skipped"], "gfbridge itself wrote nothing: {journal:?}");
}

#[test]
fn remote_that_keeps_moving_is_skipped_with_exit_4_then_converges() {
    let w = World::new();
    w.seed("main");
    let c: Vec<String> = (2..=5).map(|i| w.commit(Gitlab, "main", &format!("c{i}"))).collect();
    w.wrap_git(RACER);
    std::fs::write(w.path("race-queue"), format!("{}\n{}\n{}\n", c[0], c[1], c[2])).expect("queue");
    let run = w.sync_json();
    assert_eq!(run.code, 4, "{run}");
    let branch = run.branch("main");
    assert_eq!(branch["outcome"], "skipped");
    assert_eq!(w.tip(Fusion, "main").as_ref(), Some(&c[2]), "only the competitor moved it");
    let run = w.sync();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(w.tip(Fusion, "main").as_ref(), Some(&c[3]));
}

#[test]
fn second_run_exits_4_at_once_while_the_lock_is_held() {
    let w = World::new();
    w.commit(Gitlab, "main", "a");
    let lock = hold_lock(&w, "widgets");
    let run = w.sync();
    assert_eq!(run.code, 4, "{run}");
    assert!(run.stderr.contains("busy"), "{run}");
    assert_eq!(w.tip(Fusion, "main"), None);
    drop(lock);
    assert_eq!(w.sync().code, 0);
}

#[test]
fn wait_lets_a_second_run_proceed_when_the_lock_is_released() {
    let w = World::new();
    let tip = w.commit(Gitlab, "main", "a");
    let lock = hold_lock(&w, "widgets");
    let mut child = w
        .gfbridge_command(&["-v", "sync", "--wait", "60"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stderr = std::io::BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    while !line.contains("waiting for another run") {
        line.clear();
        assert!(
            std::io::BufRead::read_line(&mut stderr, &mut line).expect("read") > 0,
            "gfbridge never waited"
        );
    }
    drop(lock);
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(0));
    assert_eq!(w.tip(Fusion, "main"), Some(tip));
}

/// A wrapper git whose push stops at a marker until released; `AFTER` pushes first.
fn crash_wrapper(push_first: bool) -> String {
    let push = if push_first { r#""$REAL_GIT" "$@" || exit 1"# } else { ":" };
    format!(
        r#"case " $* " in *" push "*)
  {push}
  touch "$WORLD/at-push"
  while [ ! -e "$WORLD/release" ]; do sleep 0.02; done
  exit 1 ;;
esac"#
    )
}

#[test]
fn sync_killed_mid_push_converges_on_rerun_without_loss_or_rewrite() {
    for push_first in [false, true] {
        let w = World::new();
        w.seed("main");
        let tip = w.commit(Gitlab, "main", "in flight");
        let config = std::fs::read_to_string(w.path("gfbridge.toml")).expect("config");
        w.wrap_git(&crash_wrapper(push_first));
        let mut child = w
            .gfbridge_command(&["sync"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        await_condition("the push to start", Duration::from_secs(60), || {
            w.path("at-push").exists()
        });
        kill9(&mut child);
        std::fs::write(w.path("release"), "").expect("release the wrapper");
        w.write_config(&config);
        // The killed run's push process may still be running: the next run waits for it.
        let run = w.gfbridge(&["sync", "--wait", "30", "--format", "json"]);
        assert_eq!(run.code, 0, "push_first={push_first}: {run}");
        assert_eq!(w.tip(Fusion, "main").as_ref(), Some(&tip));
        assert_eq!(w.tip(Gitlab, "main").as_ref(), Some(&tip));
        let recorded: Vec<_> =
            w.changelists().into_iter().filter(|c| c["sha1"] == tip.as_str()).collect();
        assert_eq!(recorded.len(), 1, "pushed exactly once: {recorded:?}");
        let settled = w.sync_json();
        assert_eq!(settled.code, 0, "{settled}");
        assert_eq!(settled.branch("main")["base"], tip.as_str(), "the base caught up");
    }
}

#[test]
fn deleting_the_cache_is_safe() {
    let w = World::new();
    let base = w.seed("main");
    w.commit(Gitlab, "main", "mirrored");
    w.commit(Fusion, "release/1.0", "from perforce");
    assert_eq!(w.sync().code, 0);
    let changes = w.changelists().len();
    std::fs::remove_dir_all(w.path(".gfbridge")).expect("delete cache");
    let run = w.sync_json();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.branch("main")["action"], "in_sync");
    assert_eq!(w.changelists().len(), changes, "nothing pushed again");
    // Without a base, a rewrite can only be seen as divergence, and is still not written.
    std::fs::remove_dir_all(w.path(".gfbridge")).expect("delete cache");
    let fusion_tip = w.tip(Fusion, "main");
    let rewrite = w.make_commit(Gitlab, Some(&base), "force pushed");
    w.set_branch(Gitlab, "main", &rewrite);
    let run = w.sync_json();
    assert_eq!(run.code, 3, "{run}");
    assert_eq!(run.branch("main")["action"], "diverged");
    assert_eq!(w.tip(Fusion, "main"), fusion_tip);
}

#[test]
fn dry_run_writes_nothing_and_exits_as_the_real_run_would() {
    let w = World::new();
    w.seed("main");
    w.seed("release/1.0");
    w.commit(Gitlab, "main", "would go to fusion");
    let before = (w.branches(Gitlab), w.branches(Fusion));
    let run = w.gfbridge(&["sync", "--dry-run", "--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    let main = run.branch("main");
    assert_eq!(
        (main["action"].as_str(), main["outcome"].as_str()),
        (Some("push_to_fusion"), Some("skipped"))
    );
    assert_eq!((w.branches(Gitlab), w.branches(Fusion)), before);
    assert!(w.journal().is_empty());
    w.commit(Gitlab, "release/1.0", "x");
    w.commit(Fusion, "release/1.0", "y");
    let run = w.gfbridge(&["sync", "--dry-run"]);
    assert_eq!(run.code, 3, "diverged is planned: {run}");
    assert!(run.stdout.starts_with("dry run"), "{run}");
    assert!(w.journal().is_empty(), "a dry run journals no refusal either: {:?}", w.journal());
    assert_eq!(w.tip(Fusion, "main"), before.1.iter().find(|b| b.0 == "main").map(|b| b.1.clone()));
}

#[test]
fn with_several_workspaces_the_most_severe_exit_code_wins() {
    let w = World::new();
    // Two workspaces over the same remotes, each with its own cache and lock.
    let second = DEFAULT_CONFIG
        .replace("\"widgets\"", "\"gadgets\"")
        .replace("[\"main\", \"release/*\"]", "[\"release/*\"]");
    let first = DEFAULT_CONFIG.replace("[\"main\", \"release/*\"]", "[\"main\"]");
    w.write_config(&format!("{}{first}{second}", w.perforce_section()));
    w.seed("main");
    w.commit(Gitlab, "main", "ours");
    w.commit(Fusion, "main", "theirs");
    w.commit(Gitlab, "release/1.0", "r");
    let lock = hold_lock(&w, "gadgets");
    let run = w.sync();
    assert_eq!(run.code, 3, "widgets diverged (3) outranks gadgets busy (4): {run}");
    drop(lock);
    let run = w.gfbridge(&["sync", "-w", "gadgets"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(w.tip(Fusion, "release/1.0").is_some());
}

#[test]
fn a_run_without_saved_state_warns_once_and_not_after_bases_exist() {
    let w = World::new();
    w.seed("main");
    assert_eq!(w.sync().code, 0);
    std::fs::remove_dir_all(w.path(".gfbridge/widgets/cache.git")).expect("lose the state");
    let run = w.sync();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.stderr.matches("no saved state").count(), 1, "{run}");
    let again = w.sync();
    assert!(!again.stderr.contains("no saved state"), "bases exist again: {again}");
}

#[test]
fn a_branch_deleted_between_listing_and_fetching_is_planned_again_and_the_others_proceed() {
    let w = World::new();
    w.seed("main");
    w.seed("release/1.0");
    assert_eq!(w.sync().code, 0, "gfbridge records the bases");
    let main = w.commit(Gitlab, "main", "to Git Fusion");
    w.commit(Gitlab, "release/1.0", "deleted before it is fetched");
    // The first fetch from GitLab finds release/1.0 already gone, as if deleted mid-run, and
    // its commit pruned: neither the listed id nor the name can be fetched any more.
    w.wrap_git(
        r#"case "$*" in *" fetch "*gitlab.git*)
  if [ ! -e "$WORLD/deleted" ]; then
    : > "$WORLD/deleted"
    "$REAL_GIT" --git-dir="$WORLD/gitlab.git" update-ref -d refs/heads/release/1.0
    "$REAL_GIT" --git-dir="$WORLD/gitlab.git" prune --expire=now
  fi;;
esac"#,
    );
    let run = w.sync_json();
    assert_eq!(run.code, 3, "the deletion is reported, not an abort: {run}");
    assert_eq!(w.tip(Fusion, "main"), Some(main), "the other branch was pushed");
    assert_eq!(run.branch("main")["outcome"], "done");
    assert_eq!(run.branch("release/1.0")["action"], "deleted", "planned from fresh tips: {run}");
    assert!(w.tip(Fusion, "release/1.0").is_some(), "a deletion is never propagated");
}

#[test]
fn a_server_that_serves_only_current_tips_still_gets_a_branch_that_moved_after_listing() {
    let w = World::new();
    w.seed("main");
    assert_eq!(w.sync().code, 0, "gfbridge records the bases");
    let listed = w.commit(Gitlab, "main", "listed");
    let later = w.make_commit(Gitlab, Some(&listed), "pushed after the listing");
    // Protocol v0 (as older servers speak): only advertised tips may be fetched by id. Main
    // moves on after the listing, so its listed tip is refused and fetched by name instead.
    w.wrap_git(&format!(
        r#"export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=protocol.version GIT_CONFIG_VALUE_0=0
case "$*" in *" fetch "*gitlab.git*)
  if [ ! -e "$WORLD/moved" ]; then
    : > "$WORLD/moved"
    "$REAL_GIT" --git-dir="$WORLD/gitlab.git" update-ref refs/heads/main {later}
  fi;;
esac"#
    ));
    let run = w.sync_json();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(w.tip(Fusion, "main"), Some(later), "what the fetch by name brought went on");
}
