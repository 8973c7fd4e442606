//! A bounded simulation of the real world around gfbridge: random commits, force pushes,
//! deletions and new branches on both sides while syncs run concurrently and some are killed
//! with SIGKILL. After every round and at the end the invariants hold:
//! - no push from gfbridge ever moved a branch on either side other than forward, or deleted it;
//! - after things go quiet and two syncs, every branch is equal on both sides or reported.
//!
//! Rounds: `GFBRIDGE_RACE_ROUNDS` (default 40), seed: `GFBRIDGE_RACE_SEED` (default fixed, the
//! failing seed is printed so a failure can be replayed).

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::harness::*;

/// A small deterministic generator (xorshift64*), so a failing seed replays exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const BRANCHES: [&str; 3] = ["main", "release/1", "release/2"];

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Every update a `git push` made to `repo` (reflog message "push"), as (ref, old, new).
fn pushed_updates(repo: &Path) -> Vec<(String, String, String)> {
    let logs = repo.join("logs/refs/heads");
    let mut found = Vec::new();
    let mut stack = vec![logs.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = path.strip_prefix(&logs).expect("under logs").display().to_string();
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for line in text.lines().filter(|l| l.ends_with("\tpush")) {
                let mut words = line.split(' ');
                let (old, new) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
                found.push((name.clone(), old.to_string(), new.to_string()));
            }
        }
    }
    found
}

fn is_ancestor(repo: &Path, old: &str, new: &str) -> bool {
    git()
        .arg("--git-dir")
        .arg(repo)
        .args(["merge-base", "--is-ancestor", old, new])
        .status()
        .expect("git runs")
        .success()
}

/// Asserts that no push ever went backwards or deleted a branch, on either side.
fn assert_only_fast_forwards(w: &World, seed: u64) {
    const ZERO: &str = "0000000000000000000000000000000000000000";
    for side in [Gitlab, Fusion] {
        let repo = w.remote(side);
        for (branch, old, new) in pushed_updates(&repo) {
            assert_ne!(new, ZERO, "seed {seed}: a push deleted {branch} on {side:?}");
            if old != ZERO {
                assert!(
                    is_ancestor(&repo, &old, &new),
                    "seed {seed}: a push moved {branch} on {side:?} from {old} to {new}, not forward"
                );
            }
        }
    }
}

/// Starts a sync whose stderr goes to `race-<n>.err` in the world, for the failure message.
fn spawn_sync(w: &World, n: usize) -> Child {
    let err = std::fs::File::create(w.path(&format!("race-{n}.err"))).expect("stderr file");
    w.gfbridge_command(&["-q", "sync", "--wait", "5"])
        .stdout(Stdio::null())
        .stderr(err)
        .spawn()
        .expect("gfbridge starts")
}

/// One random change made by someone other than gfbridge.
fn act(w: &World, rng: &mut Rng, round: u64) {
    let branch = BRANCHES[rng.below(BRANCHES.len() as u64) as usize];
    let side = if rng.below(2) == 0 { Gitlab } else { Fusion };
    match rng.below(10) {
        0..=5 => drop(w.commit(side, branch, &format!("round {round} {branch}"))),
        6 | 7 => {
            // A force push: the branch moves back to its parent (or to another branch's tip).
            if let Some(tip) = w.tip(side, branch) {
                let parent = git()
                    .arg("--git-dir")
                    .arg(w.remote(side))
                    .args(["rev-parse", "--verify", "--quiet", &format!("{tip}^")])
                    .output()
                    .expect("git runs");
                let parent = String::from_utf8_lossy(&parent.stdout).trim().to_string();
                if !parent.is_empty() {
                    w.set_branch(side, branch, &parent);
                }
            }
        }
        8 => {
            if w.tip(side, branch).is_some() && branch != "main" {
                w.delete_branch(side, branch);
            }
        }
        _ => drop(w.commit(side, &format!("release/{}", 10 + rng.below(3)), "a new branch")),
    }
}

#[test]
fn random_races_on_both_sides_never_rewrite_or_delete_and_settle_after_quiet() {
    let rounds = env_number("GFBRIDGE_RACE_ROUNDS", 40);
    let seed = env_number("GFBRIDGE_RACE_SEED", 0x9E37_79B9_7F4A_7C15).max(1);
    let mut rng = Rng(seed);
    let w = World::new();
    for side in [Gitlab, Fusion] {
        // Every ref update is logged, and neither remote refuses a rewrite or deletion itself:
        // if gfbridge ever sent one, it would land and the reflog would show it.
        for (key, value) in [
            ("core.logAllRefUpdates", "always"),
            ("receive.denyNonFastForwards", "false"),
            ("receive.denyDeletes", "false"),
        ] {
            run_ok(git().arg("--git-dir").arg(w.remote(side)).args(["config", key, value]));
        }
    }
    w.write_config(&format!("[bridge]\npush_confirm_timeout = \"5s\"\n{}", w.default_config()));
    w.seed("main");
    assert_eq!(w.sync().code, 0);
    for round in 0..rounds {
        let mut syncs = vec![spawn_sync(&w, 0), spawn_sync(&w, 1)];
        for _ in 0..=rng.below(3) {
            act(&w, &mut rng, round);
        }
        if rng.below(3) == 0 {
            std::thread::sleep(Duration::from_millis(rng.below(150)));
            kill9(&mut syncs[0]);
        }
        for (n, mut child) in syncs.into_iter().enumerate() {
            let status = child.wait().expect("sync ends");
            // Killed (no code) or one of the contract's codes; never a crash or a usage error.
            let said =
                std::fs::read_to_string(w.path(&format!("race-{n}.err"))).unwrap_or_default();
            assert!(
                matches!(status.code(), None | Some(0 | 3 | 4)),
                "seed {seed} round {round}: sync exited {status}: {said}"
            );
        }
        assert_only_fast_forwards(&w, seed);
    }
    // Quiet: two syncs settle everything that can be settled.
    for _ in 0..2 {
        let _ = w.gfbridge(&["sync", "--wait", "30"]);
    }
    let last = w.sync_json();
    assert!(matches!(last.code, 0 | 3), "seed {seed}: {last}");
    for branch in last.json()["workspaces"][0]["branches"].as_array().expect("branches") {
        let action = branch["action"].as_str().unwrap_or("");
        let reported = ["diverged", "rewritten", "deleted", "blocked"].contains(&action);
        assert!(
            action == "in_sync" || reported,
            "seed {seed}: after quiet, {} is `{action}`: {last}",
            branch["name"]
        );
        if action == "in_sync" {
            assert_eq!(branch["gitlab"], branch["fusion"], "seed {seed}");
        }
    }
    assert_only_fast_forwards(&w, seed);
    for side in [Gitlab, Fusion] {
        assert!(!pushed_updates(&w.remote(side)).is_empty(), "the check saw pushes to {side:?}");
    }
}
