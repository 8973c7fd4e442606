//! Runs that stop halfway or overlap, for real: a slow Git Fusion stand-in
//! (`pre_receive_seconds`), real signals to real processes, readers started beside a sync.
//! What a user sees is asserted: exit codes, both remotes' refs, the journal, `runs.jsonl`,
//! what is remembered, and the next run.

use std::process::Child;
use std::time::Duration;

use serde_json::Value;

use crate::harness::*;

const LIMIT: Duration = Duration::from_secs(60);

/// A world with `main` in sync and a Git Fusion whose pushes take `seconds`.
fn slow_world(seconds: f64) -> World {
    let w = World::new();
    w.seed("main");
    assert_eq!(w.sync().code, 0);
    w.set_fusion_settings(&format!("{{\"pre_receive_seconds\": {seconds}}}"));
    w
}

/// Starts gfbridge as a terminal would: the leader of its own process group, so that a
/// signal to the group reaches everything it did not move out of it. stdout and stderr go
/// to `<name>.out` and `<name>.err` in the world.
fn spawn(w: &World, name: &str, args: &[&str]) -> Child {
    use std::os::unix::process::CommandExt;
    let out = std::fs::File::create(w.path(&format!("{name}.out"))).expect("stdout file");
    let err = std::fs::File::create(w.path(&format!("{name}.err"))).expect("stderr file");
    let mut cmd = w.gfbridge_command(args);
    cmd.process_group(0).stdout(out).stderr(err);
    cmd.spawn().expect("gfbridge starts")
}

/// Returns what the run `name` printed: (stdout, stderr).
fn printed(w: &World, name: &str) -> (String, String) {
    let read =
        |ext: &str| std::fs::read_to_string(w.path(&format!("{name}.{ext}"))).unwrap_or_default();
    (read("out"), read("err"))
}

/// Waits until Git Fusion has started `n` pushes in all.
fn await_pushes_started(w: &World, n: usize) {
    let path = w.remote(Fusion).join("fusion/pushes-started");
    await_condition("a push to Git Fusion to start", LIMIT, || {
        std::fs::read_to_string(&path).is_ok_and(|t| t.lines().count() >= n)
    });
}

/// Sends `signal` (`INT`, `TERM`, `KILL`) to `target` (a pid, or `-pgid` for a group).
fn send(signal: &str, target: &str) {
    run_ok(std::process::Command::new("kill").arg(format!("-{signal}")).arg("--").arg(target));
}

fn wait_code(child: &mut Child) -> Option<i32> {
    child.wait().expect("gfbridge ends").code()
}

/// The journal's outcomes for `branch` at `new`, in order, with the run of each.
fn outcomes(w: &World, branch: &str, new: &str) -> Vec<(String, String)> {
    w.journal()
        .iter()
        .filter(|e| e["branch"] == branch && e["new"] == new)
        .map(|e| {
            (e["run"].as_str().unwrap_or("").into(), e["outcome"].as_str().unwrap_or("").into())
        })
        .collect()
}

fn runs(w: &World) -> Vec<Value> {
    read_jsonl(&w.path(".gfbridge/widgets/runs.jsonl"))
}

/// Returns the pushes to Git Fusion remembered as failed or pending.
fn remembered(w: &World) -> Value {
    let text = std::fs::read_to_string(w.path(".gfbridge/widgets/fusion-pushes.json"));
    text.map_or(Value::Null, |t| serde_json::from_str(&t).expect("json"))
}

fn nothing_remembered(w: &World) -> bool {
    match remembered(w) {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        other => panic!("unexpected remembered pushes: {other}"),
    }
}

#[test]
fn ctrl_c_to_the_process_group_mid_push_finishes_the_push_records_it_and_exits_130() {
    let w = slow_world(1.5);
    let new = w.commit(Gitlab, "main", "carried while Ctrl-C is pressed");
    let mut sync = spawn(&w, "sync", &["sync", "--format", "json"]);
    await_pushes_started(&w, 1);
    // As a terminal sends it: to the whole foreground process group.
    send("INT", &format!("-{}", sync.id()));
    assert_eq!(wait_code(&mut sync), Some(130), "{:?}", printed(&w, "sync"));
    let (stdout, stderr) = printed(&w, "sync");
    assert_eq!(w.tip(Fusion, "main").as_deref(), Some(new.as_str()), "the push finished");
    // Neither git nor Git Fusion's hook got the signal: the hook recorded the changelist.
    assert!(w.changelists().iter().any(|c| c["sha1"] == new.as_str()), "{stderr}");
    assert!(!stderr.contains("Traceback") && !stderr.contains("KeyboardInterrupt"), "{stderr}");
    assert!(stderr.contains("SIGINT"), "the stop is said: {stderr}");
    let json: Value = serde_json::from_str(&stdout).expect("the results are printed");
    crate::schema::assert_valid("sync", &json);
    assert_eq!(json["workspaces"][0]["branches"][0]["outcome"], "done", "{stdout}");
    let said = outcomes(&w, "main", &new);
    let kinds: Vec<&str> = said.iter().map(|(_, o)| o.as_str()).collect();
    assert_eq!(kinds, ["started", "done"], "{said:?}");
    assert_eq!(runs(&w).last().expect("a run line")["exit_code"], 130);
    assert!(nothing_remembered(&w));
    let next = w.sync_json();
    assert_eq!(next.code, 0, "{next}");
    assert_eq!(next.branch("main")["action"], "in_sync");
}

#[test]
fn sigterm_mid_push_finishes_the_push_records_it_and_exits_143() {
    let w = slow_world(1.5);
    let new = w.commit(Gitlab, "main", "carried while the service manager stops us");
    let mut sync = spawn(&w, "sync", &["sync"]);
    await_pushes_started(&w, 1);
    send("TERM", &sync.id().to_string());
    assert_eq!(wait_code(&mut sync), Some(143), "{:?}", printed(&w, "sync"));
    assert_eq!(w.tip(Fusion, "main").as_deref(), Some(new.as_str()));
    let kinds: Vec<String> = outcomes(&w, "main", &new).into_iter().map(|(_, o)| o).collect();
    assert_eq!(kinds, ["started", "done"]);
    assert_eq!(runs(&w).last().expect("a run line")["exit_code"], 143);
    assert_eq!(w.sync().code, 0);
}

#[test]
fn a_second_ctrl_c_stops_at_once_and_the_next_run_records_the_lost_push_and_carries_on() {
    let w = slow_world(30.0);
    let old = w.tip(Fusion, "main").expect("main");
    let new = w.commit(Gitlab, "main", "interrupted twice");
    let mut sync = spawn(&w, "sync", &["sync"]);
    await_pushes_started(&w, 1);
    let group = format!("-{}", sync.id());
    send("INT", &group);
    // The first signal's message says it is heard; then the second one.
    await_condition("the first signal to be heard", LIMIT, || {
        printed(&w, "sync").1.contains("SIGINT")
    });
    send("INT", &group);
    let started = std::time::Instant::now();
    assert_eq!(wait_code(&mut sync), Some(130), "{:?}", printed(&w, "sync"));
    assert!(started.elapsed() < Duration::from_secs(20), "it did not wait for the 30 s push");
    // The push was ended with its process group: Git Fusion never took it.
    assert_eq!(w.tip(Fusion, "main").as_deref(), Some(old.as_str()));
    w.set_fusion_settings("{\"pre_receive_seconds\": 0}");
    let next = w.sync_json();
    assert_eq!(next.code, 0, "{next}");
    assert_eq!(w.tip(Fusion, "main").as_deref(), Some(new.as_str()));
    let said = outcomes(&w, "main", &new);
    let kinds: Vec<&str> = said.iter().map(|(_, o)| o.as_str()).collect();
    assert_eq!(kinds, ["started", "lost", "started", "done"], "{said:?}");
    assert_eq!(said[0].0, said[1].0, "the lost line names the interrupted run");
    assert!(nothing_remembered(&w));
}

#[test]
fn kill_9_mid_push_the_next_run_waits_for_the_orphaned_push_and_finds_the_branch_in_sync() {
    let w = slow_world(3.0);
    let new = w.commit(Gitlab, "main", "landed after its run died");
    let mut sync = spawn(&w, "sync", &["sync"]);
    await_pushes_started(&w, 1);
    kill9(&mut sync);
    // The orphaned `git push` still runs: a run that will not wait says so and writes nothing.
    let busy = w.sync();
    assert_eq!(busy.code, 4, "{busy}");
    assert!(busy.stderr.contains("interrupted run"), "{busy}");
    // One that waits lets it land, then finds both sides equal: nothing failed, nothing kept.
    let next = w.gfbridge(&["sync", "--wait", "60", "--format", "json"]);
    assert_eq!(next.code, 0, "{next}");
    assert_eq!(next.branch("main")["action"], "in_sync", "{next}");
    assert_eq!(w.tip(Fusion, "main").as_deref(), Some(new.as_str()));
    assert!(nothing_remembered(&w), "{}", remembered(&w));
    // The killed run's push is in the journal: started by it, found done by the next run.
    let said = outcomes(&w, "main", &new);
    let kinds: Vec<&str> = said.iter().map(|(_, o)| o.as_str()).collect();
    assert_eq!(kinds, ["started", "done"], "{said:?}");
    let again = w.sync_json();
    assert_eq!((again.code, again.branch("main")["action"].clone()), (0, "in_sync".into()));
}

#[test]
fn a_failure_after_a_push_landed_keeps_the_push_in_the_journal() {
    let w = World::new();
    w.seed("main");
    assert_eq!(w.sync().code, 0);
    let new = w.commit(Fusion, "main", "pushed to GitLab, then the cache breaks");
    // While the push runs, the cache's base refs become unwritable (a file where their
    // folder was): settling the push fails after it landed.
    w.wrap_git(
        "case \" $* \" in *\" push \"*) base=\"$WORLD/.gfbridge/widgets/cache.git/refs/gfbridge/base\"; \
         rm -rf \"$base\"; echo broken > \"$base\";; esac",
    );
    let run = w.sync();
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(w.tip(Gitlab, "main").as_deref(), Some(new.as_str()), "the push landed");
    let line = w
        .journal()
        .into_iter()
        .find(|e| e["branch"] == "main" && e["new"] == new.as_str() && e["outcome"] == "done")
        .unwrap_or_else(|| panic!("no journal line for the landed push: {:?}", w.journal()));
    assert!(line["message"].as_str().unwrap_or("").contains("settling it failed"), "{line}");
    assert!(!w.path(".gfbridge/widgets/pushing.json").exists(), "nothing left under way");
}

/// True when a reader's output claims a history rewrite or a divergence.
fn claims_rewrite(text: &str) -> bool {
    ["\"rewritten\"", "\"diverged\"", "would be lost"].iter().any(|n| text.contains(n))
}

#[test]
fn report_dry_run_and_authors_beside_a_long_sync_never_claim_a_rewrite() {
    let w = slow_world(1.0);
    for round in 0..3usize {
        for n in 0..150 {
            w.commit(Gitlab, "main", &format!("round {round} commit {n}"));
        }
        let mut sync = spawn(&w, &format!("sync-{round}"), &["sync", "--wait", "60"]);
        // Readers started at three moments: at once (before or while the sync lists), while
        // its push is under way, and just as it settles.
        match round {
            0 => {}
            1 => await_pushes_started(&w, round),
            _ => {
                await_pushes_started(&w, round);
                std::thread::sleep(Duration::from_millis(900));
            }
        }
        let readers: Vec<(String, Child)> = [
            ("report", vec!["report", "--format", "json"]),
            ("dry-run", vec!["sync", "--dry-run", "--wait", "60", "--format", "json"]),
            ("authors", vec!["authors", "--format", "json"]),
        ]
        .into_iter()
        .map(|(name, args)| {
            let name = format!("{name}-{round}");
            let child = spawn(&w, &name, &args);
            (name, child)
        })
        .collect();
        for (name, mut child) in readers {
            let code = wait_code(&mut child);
            let (stdout, stderr) = printed(&w, &name);
            assert!(matches!(code, Some(0 | 3 | 4)), "{name} exited {code:?}: {stdout}{stderr}");
            assert!(!claims_rewrite(&stdout), "round {round}: {name} claims a rewrite: {stdout}");
        }
        assert_eq!(wait_code(&mut sync), Some(0), "{:?}", printed(&w, &format!("sync-{round}")));
        assert_eq!(w.tip(Fusion, "main"), w.tip(Gitlab, "main"));
    }
}

#[test]
fn children_run_in_process_groups_of_their_own() {
    // A wrapper git records its process group and gfbridge's: they must differ, so that a
    // terminal's Ctrl-C (sent to gfbridge's group) never reaches git.
    let w = World::new();
    w.seed("main");
    w.wrap_git(
        "awk '{print $5}' /proc/$$/stat >> \"$WORLD/git-groups\"; \
         awk '{print $5}' /proc/$PPID/stat >> \"$WORLD/parent-groups\"",
    );
    assert_eq!(w.sync().code, 0);
    let ours = std::fs::read_to_string(w.path("git-groups")).expect("git ran");
    let parents = std::fs::read_to_string(w.path("parent-groups")).expect("git ran");
    for (git, parent) in ours.lines().zip(parents.lines()) {
        assert_ne!(git.trim(), parent.trim(), "git shares gfbridge's process group");
    }
    assert!(ours.lines().count() >= 2, "both remotes were listed: {ours}");
}
