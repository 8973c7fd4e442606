//! The pre-receive hook end to end: real `git push` from a clone into the GitLab-side bare
//! repo with the installed hook, against the Git Fusion stand-in.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use crate::harness::{git, run_ok, Fusion, Gitlab, World};

/// A world whose GitLab-side repo has the hook installed and a clone to push from, with
/// `main` and `release/1` on both sides.
fn hooked_world() -> (World, PathBuf) {
    let world = World::new();
    world.seed("main");
    world.seed("release/1");
    let hooks = world.gfbridge(&["hook", "install", "-w", "widgets", "--repo", "gitlab.git"]);
    assert_eq!(hooks.code, 0, "{hooks}");
    let clone = world.path("work");
    run_ok(git().arg("clone").arg("--quiet").arg(world.remote(Gitlab)).arg(&clone));
    (world, clone)
}

/// Runs `git <args>` in the clone as Jane Doe (unless `args` sets another author) and returns
/// (success, stderr).
fn in_clone(clone: &PathBuf, args: &[&str]) -> (bool, String) {
    let out = git()
        .arg("-C")
        .arg(clone)
        .args(["-c", "user.name=Jane Doe", "-c", "user.email=jane@example.com"])
        .args(args)
        .output()
        .expect("git runs");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn commit_in_clone(clone: &PathBuf, message: &str) -> String {
    let (ok, err) = in_clone(clone, &["commit", "--quiet", "--allow-empty", "-m", message]);
    assert!(ok, "{err}");
    run_ok(git().arg("-C").arg(clone).args(["rev-parse", "HEAD"])).trim().to_string()
}

/// Returns how many pushes the Git Fusion stand-in has seen (accepted or not).
fn fusion_pushes(world: &World) -> u64 {
    let path = world.remote(Fusion).join("fusion/push-id");
    std::fs::read_to_string(path).map_or(0, |t| t.trim().parse().expect("push id"))
}

/// Asserts that Git Fusion saw no push since `pushes` and `main` is still `tip` on both sides.
fn assert_untouched(world: &World, pushes: u64, tip: Option<String>) {
    assert_eq!(fusion_pushes(world), pushes, "Git Fusion was not sent a push");
    assert_eq!(world.tip(Gitlab, "main"), tip);
    assert_eq!(world.tip(Fusion, "main"), tip);
}

#[test]
fn fast_forward_through_the_hook_lands_on_fusion_and_gitlab_in_one_push() {
    let (world, clone) = hooked_world();
    let before = fusion_pushes(&world);
    let main = commit_in_clone(&clone, "on main");
    in_clone(&clone, &["checkout", "--quiet", "-b", "release/2"]);
    let release = commit_in_clone(&clone, "new release branch");
    let (ok, err) = in_clone(&clone, &["push", "origin", "main", "release/2"]);
    assert!(ok, "{err}");
    assert!(err.contains("gfbridge: Git Fusion accepted main"), "{err}");
    for side in [Gitlab, Fusion] {
        assert_eq!(world.tip(side, "main"), Some(main.clone()));
        assert_eq!(world.tip(side, "release/2"), Some(release.clone()));
    }
    assert_eq!(fusion_pushes(&world), before + 1, "one atomic push for both branches");
    let owners: Vec<_> = world.changelists().iter().map(|c| c["owner"].clone()).collect();
    assert!(owners.iter().all(|o| o == "jdoe"), "{owners:?}");
}

#[test]
fn push_is_rejected_with_pull_first_when_fusion_has_moved_on() {
    let (world, clone) = hooked_world();
    let p4_work = world.commit(Fusion, "main", "submitted in Perforce");
    let gitlab_main = world.tip(Gitlab, "main");
    commit_in_clone(&clone, "not based on the Perforce work");
    let (ok, err) = in_clone(&clone, &["push", "origin", "main"]);
    assert!(!ok, "{err}");
    assert!(err.contains("gfbridge: refs/heads/main: Git Fusion's main has moved on"), "{err}");
    assert!(err.contains("pull first"), "{err}");
    assert_eq!(world.tip(Gitlab, "main"), gitlab_main);
    assert_eq!(world.tip(Fusion, "main"), Some(p4_work));
}

#[test]
fn force_push_is_rejected_without_contacting_fusion() {
    let (world, clone) = hooked_world();
    commit_in_clone(&clone, "first");
    let (ok, err) = in_clone(&clone, &["push", "origin", "main"]);
    assert!(ok, "{err}");
    let (pushes, tip) = (fusion_pushes(&world), world.tip(Gitlab, "main"));
    in_clone(&clone, &["reset", "--quiet", "--hard", "HEAD~1"]);
    commit_in_clone(&clone, "rewritten");
    let (ok, err) = in_clone(&clone, &["push", "--force", "origin", "main"]);
    assert!(!ok, "{err}");
    assert!(
        err.contains("gfbridge: refs/heads/main: force pushes are not allowed on this branch"),
        "{err}"
    );
    assert_untouched(&world, pushes, tip);
}

#[test]
fn one_refused_branch_of_two_leaves_both_unchanged_on_both_sides() {
    let (world, clone) = hooked_world();
    world.commit(Fusion, "release/1", "submitted in Perforce");
    let before = [world.branches(Gitlab), world.branches(Fusion)];
    commit_in_clone(&clone, "on main");
    in_clone(&clone, &["checkout", "--quiet", "-b", "release/1", "origin/release/1"]);
    commit_in_clone(&clone, "on release/1");
    let (ok, err) = in_clone(&clone, &["push", "origin", "main", "release/1"]);
    assert!(!ok, "{err}");
    assert!(err.contains("refs/heads/release/1: Git Fusion's release/1 has moved on"), "{err}");
    assert!(err.contains("refs/heads/main: not sent"), "{err}");
    assert_eq!([world.branches(Gitlab), world.branches(Fusion)], before);
}

#[test]
fn unmapped_author_is_rejected_naming_the_author_before_any_push() {
    let (world, clone) = hooked_world();
    world.remove_p4_user("unknown_git");
    let (pushes, tip) = (fusion_pushes(&world), world.tip(Gitlab, "main"));
    let stranger = ["-c", "user.name=Mallory", "-c", "user.email=mallory@elsewhere.org"];
    let (ok, err) =
        in_clone(&clone, &[&stranger[..], &["commit", "--allow-empty", "-m", "x"]].concat());
    assert!(ok, "{err}");
    let (ok, err) = in_clone(&clone, &["push", "origin", "main"]);
    assert!(!ok, "{err}");
    assert!(err.contains("unmapped_author"), "{err}");
    assert!(err.contains("Mallory <mallory@elsewhere.org>"), "{err}");
    assert_untouched(&world, pushes, tip);
}

#[test]
fn unmirrored_branch_passes_through_untouched() {
    let (world, clone) = hooked_world();
    let pushes = fusion_pushes(&world);
    in_clone(&clone, &["checkout", "--quiet", "-b", "feature"]);
    let feature = commit_in_clone(&clone, "work in progress");
    let (ok, err) = in_clone(&clone, &["push", "origin", "feature"]);
    assert!(ok, "{err}");
    assert!(!err.contains("gfbridge:"), "{err}");
    assert_eq!(world.tip(Gitlab, "feature"), Some(feature));
    assert_eq!(world.tip(Fusion, "feature"), None);
    assert_eq!(fusion_pushes(&world), pushes);
}

#[test]
fn deleting_a_mirrored_branch_is_rejected() {
    let (world, clone) = hooked_world();
    let tip = world.tip(Gitlab, "release/1");
    let (ok, err) = in_clone(&clone, &["push", "origin", ":release/1"]);
    assert!(!ok, "{err}");
    assert!(err.contains("gfbridge: refs/heads/release/1: deleting a mirrored branch"), "{err}");
    assert_eq!(world.tip(Gitlab, "release/1"), tip);
}

#[test]
fn gfbridge_sync_brings_perforce_work_through_the_hook() {
    let (world, _clone) = hooked_world();
    let sync = world.sync();
    assert_eq!(sync.code, 0, "{sync}");
    // An author the preflight would block: Git Fusion already has the commit, so it passes.
    world.remove_p4_user("unknown_git");
    world.set_author("Mallory", "mallory@elsewhere.org");
    let p4_work = world.commit(Fusion, "main", "submitted in Perforce");
    let pushes = fusion_pushes(&world);
    let sync = world.sync_json();
    assert_eq!(sync.code, 0, "{sync}");
    assert_eq!(sync.branch("main")["action"], "push_to_gitlab", "{sync}");
    assert_eq!(sync.branch("main")["outcome"], "done", "{sync}");
    assert_eq!(world.tip(Gitlab, "main"), Some(p4_work));
    assert_eq!(fusion_pushes(&world), pushes, "nothing was pushed back to Git Fusion");
}

#[test]
fn hook_install_keeps_a_foreign_hook_unless_forced() {
    let world = World::new();
    let hook = world.remote(Gitlab).join("hooks/pre-receive");
    std::fs::write(&hook, "#!/bin/sh\necho theirs\n").expect("foreign hook");
    let install = ["hook", "install", "-w", "widgets", "--repo", "gitlab.git"];
    let refused = world.gfbridge(&install);
    assert_eq!(refused.code, 2, "{refused}");
    assert!(refused.stderr.contains("not written by gfbridge"), "{refused}");
    assert!(refused.stderr.contains("--force"), "{refused}");
    assert_eq!(std::fs::read_to_string(&hook).expect("hook"), "#!/bin/sh\necho theirs\n");
    let forced = world.gfbridge(&[&install[..], &["--force"]].concat());
    assert_eq!(forced.code, 0, "{forced}");
    let again = world.gfbridge(&install);
    assert_eq!(again.code, 0, "reinstalling over its own hook needs no --force: {again}");
    let text = std::fs::read_to_string(&hook).expect("hook");
    assert!(text.contains("gfbridge-hook"), "{text}");
    assert!(text.contains(&format!("'{}'", world.path("gfbridge.toml").display())), "{text}");
    let mode = std::fs::metadata(&hook).expect("hook").permissions().mode();
    assert_eq!(mode & 0o111, 0o111, "executable: {mode:o}");
}

#[test]
fn hook_install_names_a_path_that_is_not_a_repository() {
    let world = World::new();
    let run = world.gfbridge(&["hook", "install", "-w", "widgets", "--repo", "nowhere"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("nowhere"), "{run}");
}

#[test]
fn hook_reaches_fusion_through_the_servers_own_git_config() {
    let (world, clone) = hooked_world();
    // The bridge's config names Git Fusion by a URL that only the server's global git config
    // (where ssh settings and credential helpers live) turns into the real remote.
    let url = "https://gitfusion.invalid/acme/widgets";
    let config = std::fs::read_to_string(world.path("gfbridge.toml")).expect("config");
    world.write_config(
        &config.replace("fusion_remote = \"fusion.git\"", &format!("fusion_remote = \"{url}\"")),
    );
    let global = world.path("server-gitconfig");
    let rewrite = format!("[url \"{}\"]\n\tinsteadOf = {url}\n", world.remote(Fusion).display());
    std::fs::write(&global, rewrite).expect("server git config");
    let main = commit_in_clone(&clone, "through the rewrite");
    let out = git()
        .arg("-C")
        .arg(&clone)
        .args(["push", "origin", "main"])
        .env("GIT_CONFIG_GLOBAL", &global)
        .output()
        .expect("git runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert_eq!(world.tip(Fusion, "main"), Some(main.clone()));
    assert_eq!(world.tip(Gitlab, "main"), Some(main));
}

#[test]
fn hook_fails_closed_when_its_config_cannot_be_read() {
    let (world, clone) = hooked_world();
    let (pushes, tip) = (fusion_pushes(&world), world.tip(Gitlab, "main"));
    std::fs::write(world.path("gfbridge.toml"), "[[workspace]\n").expect("broken config");
    commit_in_clone(&clone, "while the config is broken");
    let (ok, err) = in_clone(&clone, &["push", "origin", "main"]);
    assert!(!ok, "{err}");
    assert!(err.contains("gfbridge.toml"), "names the config: {err}");
    assert!(err.contains("gfbridge: push rejected; nothing changed on either side"), "{err}");
    assert_untouched(&world, pushes, tip);
}

#[test]
fn new_branch_is_rejected_when_git_fusion_already_has_one_of_that_name() {
    let (world, clone) = hooked_world();
    let theirs = world.commit(Fusion, "release/9", "branched in Perforce");
    in_clone(&clone, &["checkout", "--quiet", "-b", "release/9"]);
    commit_in_clone(&clone, "branched in git");
    let (ok, err) = in_clone(&clone, &["push", "origin", "release/9"]);
    assert!(!ok, "{err}");
    assert!(err.contains("Git Fusion already has a branch release/9"), "{err}");
    assert!(err.contains("pull first"), "{err}");
    assert_eq!(world.tip(Gitlab, "release/9"), None);
    assert_eq!(world.tip(Fusion, "release/9"), Some(theirs));
}

#[test]
fn run_by_gitlab_a_refusal_is_repeated_as_gl_hook_err_lines_for_its_web_ui() {
    let (world, clone) = hooked_world();
    commit_in_clone(&clone, "first");
    assert!(in_clone(&clone, &["push", "origin", "main"]).0);
    in_clone(&clone, &["reset", "--quiet", "--hard", "HEAD~1"]);
    commit_in_clone(&clone, "rewritten");
    let push = |gl_id: Option<&str>| {
        let mut cmd = git();
        cmd.arg("-C").arg(&clone).args(["push", "--force", "origin", "main"]);
        if let Some(id) = gl_id {
            cmd.env("GL_ID", id); // GitLab sets it for the hooks it runs
        }
        let out = cmd.output().expect("git runs");
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let by_gitlab = push(Some("user-42"));
    assert!(
        by_gitlab.contains("GL-HOOK-ERR: gfbridge: refs/heads/main: force pushes are not allowed"),
        "{by_gitlab}"
    );
    assert!(by_gitlab.contains("gfbridge: push rejected"), "the plain lines stay: {by_gitlab}");
    let plain = push(None);
    assert!(!plain.contains("GL-HOOK-ERR"), "only when GitLab runs the hook: {plain}");
    let _ = world;
}

#[test]
fn after_a_cutover_the_hook_lets_pushes_through_without_asking_git_fusion() {
    let (world, clone) = hooked_world();
    let config = std::fs::read_to_string(world.path("gfbridge.toml")).expect("config");
    world.write_config(&format!("{config}{}", crate::report::ACCEPT_ALL_SKIPS));
    world.seed("release/1.0");
    assert_eq!(world.sync().code, 0);
    let cutover = world.gfbridge(&["cutover", "-w", "widgets", "--execute", "-o", "."]);
    assert_eq!(cutover.code, 0, "{cutover}");
    let before = fusion_pushes(&world);
    let fusion = world.tip(Fusion, "main");
    let main = commit_in_clone(&clone, "GitLab alone now");
    let (ok, err) = in_clone(&clone, &["push", "origin", "main"]);
    assert!(ok, "{err}");
    assert!(err.contains("retired by cutover"), "{err}");
    assert_eq!(world.tip(Gitlab, "main"), Some(main));
    assert_eq!(world.tip(Fusion, "main"), fusion);
    assert_eq!(fusion_pushes(&world), before, "Git Fusion was not sent a push");
}
