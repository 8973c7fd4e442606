//! Each row of the decision table end to end: refs on both remotes, exit codes, output,
//! changelists recorded by the Git Fusion stand-in, and the journal.

use crate::harness::*;

#[test]
fn gitlab_commit_is_fast_forwarded_to_fusion() {
    let w = World::new();
    w.seed("main");
    let new = w.commit(Gitlab, "main", "feature work");
    let run = w.sync();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(w.tip(Fusion, "main").as_deref(), Some(new.as_str()));
    assert!(run.stdout.contains("push_to_fusion") && run.stdout.contains("(1 commit)"), "{run}");
    let last = w.changelists().pop().expect("a changelist");
    assert_eq!((last["sha1"].as_str(), last["owner"].as_str()), (Some(new.as_str()), Some("jdoe")));
    let journal = w.journal();
    let outcomes: Vec<&str> = journal.iter().filter_map(|e| e["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["started", "done"], "its intent, then its result: {journal:?}");
    for line in &journal {
        assert_eq!((&line["remote"], &line["new"]), (&"fusion".into(), &new.as_str().into()));
    }
}

#[test]
fn fusion_commit_is_fast_forwarded_to_gitlab() {
    let w = World::new();
    w.seed("main");
    let p4_change = w.commit(Fusion, "main", "change from perforce");
    let run = w.sync_json();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(w.tip(Gitlab, "main").as_deref(), Some(p4_change.as_str()));
    let branch = run.branch("main");
    assert_eq!(branch["action"], "push_to_gitlab");
    assert_eq!(branch["outcome"], "done");
    assert_eq!(branch["commits"], serde_json::json!([p4_change]));
}

#[test]
fn new_branches_are_created_on_the_side_that_lacks_them() {
    let w = World::new();
    let on_gitlab = w.commit(Gitlab, "release/1.0", "gitlab release");
    let on_fusion = w.commit(Fusion, "release/2.0", "fusion release");
    let run = w.sync_json();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(w.tip(Fusion, "release/1.0"), Some(on_gitlab));
    assert_eq!(w.tip(Gitlab, "release/2.0"), Some(on_fusion));
    assert_eq!(run.branch("release/1.0")["new_branch"], true);
    assert_eq!(run.branch("release/2.0")["action"], "push_to_gitlab");
}

#[test]
fn gitlab_force_push_is_never_sent_to_fusion() {
    let w = World::new();
    let base = w.seed("main");
    let kept = w.commit(Gitlab, "main", "will be rewritten");
    assert_eq!(w.sync().code, 0);
    // Someone force-pushes GitLab's main to a different commit on the same parent.
    let rewrite = w.make_commit(Gitlab, Some(&base), "rewritten history");
    w.set_branch(Gitlab, "main", &rewrite);
    let before = w.changelists().len();
    let run = w.sync_json();
    assert_eq!(run.code, 3, "{run}");
    assert_eq!(w.tip(Fusion, "main"), Some(kept.clone()), "fusion must not move");
    assert_eq!(w.changelists().len(), before, "nothing reached Perforce");
    let branch = run.branch("main");
    assert_eq!(
        (branch["action"].as_str(), branch["side"].as_str()),
        (Some("rewritten"), Some("gitlab"))
    );
    assert_eq!(branch["commits"], serde_json::json!([kept]), "the commit that would be lost");
    assert_eq!(branch["outcome"], "skipped");
    let refusal = w.journal().pop().expect("journal line");
    assert_eq!(
        (refusal["outcome"].as_str(), refusal["action"].as_str()),
        (Some("refused"), Some("rewritten"))
    );
    assert!(refusal["remote"].is_null());
}

#[test]
fn gitlab_rewind_names_the_lost_commits_in_text_output() {
    let w = World::new();
    let base = w.seed("main");
    let lost = w.commit(Gitlab, "main", "soon rewound");
    assert_eq!(w.sync().code, 0);
    w.set_branch(Gitlab, "main", &base);
    let run = w.sync();
    assert_eq!(run.code, 3, "{run}");
    assert!(run.stdout.contains("rewritten (gitlab)"), "{run}");
    assert!(run.stdout.contains(&lost[..7]), "lost commit named: {run}");
    assert_eq!(w.tip(Fusion, "main"), Some(lost));
}

#[test]
fn fusion_rewrite_is_reported_and_not_brought_to_gitlab() {
    let w = World::new();
    let base = w.seed("main");
    let kept = w.commit(Gitlab, "main", "mirrored");
    assert_eq!(w.sync().code, 0);
    let other = w.make_commit(Fusion, Some(&base), "fusion repaired");
    w.set_branch(Fusion, "main", &other);
    let run = w.sync_json();
    assert_eq!(run.code, 3, "{run}");
    assert_eq!(run.branch("main")["side"], "fusion");
    assert_eq!(w.tip(Gitlab, "main"), Some(kept));
}

#[test]
fn diverged_branch_names_both_sides_commits_and_other_branches_proceed() {
    let w = World::new();
    w.seed("main");
    w.seed("release/1.0");
    let ours = w.commit(Gitlab, "main", "gitlab side");
    let theirs = w.commit(Fusion, "main", "perforce side");
    let release = w.commit(Gitlab, "release/1.0", "release fix");
    let run = w.sync_json();
    assert_eq!(run.code, 3, "{run}");
    let main = run.branch("main");
    assert_eq!(main["action"], "diverged");
    assert_eq!(main["gitlab_only"], serde_json::json!([ours.clone()]));
    assert_eq!(main["fusion_only"], serde_json::json!([theirs.clone()]));
    assert_eq!(main["commits"], serde_json::json!([ours.clone(), theirs.clone()]));
    assert_eq!((w.tip(Gitlab, "main"), w.tip(Fusion, "main")), (Some(ours), Some(theirs)));
    assert_eq!(w.tip(Fusion, "release/1.0"), Some(release), "the healthy branch still moves");
}

#[test]
fn deletions_are_reported_on_either_side_and_never_propagated() {
    for side in [Gitlab, Fusion] {
        let w = World::new();
        let tip = w.seed("release/1.0");
        assert_eq!(w.sync().code, 0);
        w.delete_branch(side, "release/1.0");
        let run = w.sync_json();
        assert_eq!(run.code, 3, "{side:?}: {run}");
        let branch = run.branch("release/1.0");
        assert_eq!(branch["action"], "deleted");
        assert_eq!(branch["side"], if side == Gitlab { "gitlab" } else { "fusion" });
        let other = if side == Gitlab { Fusion } else { Gitlab };
        assert_eq!(w.tip(other, "release/1.0"), Some(tip), "{side:?}: still on the other side");
        assert_eq!(w.tip(side, "release/1.0"), None, "{side:?}: not recreated");
    }
}

#[test]
fn unprotected_branches_are_untouched() {
    let w = World::new();
    w.seed("main");
    w.commit(Gitlab, "feature/x", "wip");
    w.commit(Fusion, "p4-only", "perforce task stream");
    let run = w.sync();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(w.tip(Fusion, "feature/x"), None);
    assert_eq!(w.tip(Gitlab, "p4-only"), None);
    assert!(!run.stdout.contains("feature/x") && !run.stdout.contains("p4-only"), "{run}");
}

#[test]
fn a_commit_mirrored_to_fusion_does_not_come_back_as_a_change() {
    let w = World::new();
    w.seed("main");
    w.commit(Gitlab, "main", "round trip");
    assert_eq!(w.sync().code, 0);
    let gitlab_before = w.branches(Gitlab);
    let changes_before = w.changelists().len();
    let run = w.sync_json();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.branch("main")["action"], "in_sync");
    assert_eq!(w.branches(Gitlab), gitlab_before);
    assert_eq!(w.changelists().len(), changes_before);
}

#[test]
fn branch_filter_limits_the_run_to_named_branches() {
    let w = World::new();
    w.commit(Gitlab, "main", "a");
    w.commit(Gitlab, "release/1.0", "b");
    let run = w.gfbridge(&["sync", "-b", "main"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(w.tip(Fusion, "main").is_some());
    assert_eq!(w.tip(Fusion, "release/1.0"), None);
}

#[test]
fn sync_json_has_the_contract_shape() {
    let w = World::new();
    w.commit(Gitlab, "main", "a");
    let json = w.sync_json().json();
    assert!(json["version"].as_str().is_some_and(|v| v.starts_with("gfbridge ")));
    assert!(json["generated_at"].as_str().is_some_and(|t| t.ends_with('Z')));
    let ws = &json["workspaces"][0];
    assert_eq!(ws["name"], "widgets");
    let branch = &ws["branches"][0];
    for key in [
        "name",
        "gitlab",
        "fusion",
        "base",
        "action",
        "side",
        "new_branch",
        "commits",
        "reasons",
        "outcome",
    ] {
        assert!(branch.get(key).is_some(), "missing {key}: {branch}");
    }
}

#[test]
fn fusion_refusing_a_push_is_a_failure_with_its_message() {
    let w = World::new();
    w.seed("main");
    let tip = w.tip(Fusion, "main");
    w.set_fusion_settings(r#"{"read_only_instance": true}"#);
    w.commit(Gitlab, "main", "refused");
    let run = w.sync_json();
    assert_eq!(run.code, 3, "{run}");
    let branch = run.branch("main");
    assert_eq!(branch["outcome"], "failed");
    assert!(
        branch["message"].as_str().unwrap_or("").contains("Push to read-only instance prohibited"),
        "{run}"
    );
    assert_eq!(w.tip(Fusion, "main"), tip);
    assert_eq!(w.journal().pop().expect("journal")["outcome"], "failed");
}

/// Returns the loose objects in `objects/17` of the repository at `git_dir`: the directory
/// git estimates the loose object count from.
fn loose_in_17(git_dir: &std::path::Path) -> usize {
    std::fs::read_dir(git_dir.join("objects/17")).map_or(0, |d| d.count())
}

#[test]
fn the_cache_is_still_packed_when_git_would_pack_it() {
    let w = World::new();
    w.seed("main");
    assert_eq!(w.sync().code, 0);
    let cache = w.path(".gfbridge/widgets/cache.git");
    // A commit of 10,000 files, unpacked into loose objects the cache keeps (a ref holds
    // them): about 39 in objects/17, over git's limit. (Unreachable ones gc would keep loose.)
    let scratch = w.path("blobs.git");
    run_ok(git().args(["init", "-q", "--bare"]).arg(&scratch));
    let mut stream =
        String::from("commit refs/heads/blobs\ncommitter A <a@example.com> 0 +0000\ndata 0\n");
    for i in 0..10_000 {
        let data = format!("blob {i}\n");
        stream.push_str(&format!("M 100644 inline f{i}\ndata {}\n{data}\n", data.len()));
    }
    git_with_input(&scratch, &["fast-import", "--quiet"], stream.as_bytes());
    let packs = std::fs::read_dir(scratch.join("objects/pack")).expect("packs");
    let pack = packs
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "pack"));
    let pack = std::fs::File::open(pack.expect("a pack")).expect("pack");
    let unpacked = git()
        .arg("--git-dir")
        .arg(&cache)
        .args(["unpack-objects", "-q"])
        .stdin(pack)
        .status()
        .expect("unpack-objects");
    assert!(unpacked.success());
    let tip = run_ok(git().arg("--git-dir").arg(&scratch).args(["rev-parse", "blobs"]));
    run_ok(git().arg("--git-dir").arg(&cache).args(["update-ref", "refs/test/blobs", tip.trim()]));
    let before = loose_in_17(&cache);
    assert!(before > 27, "{before} loose objects in objects/17");

    w.commit(Gitlab, "main", "fetched, then housekeeping");
    assert_eq!(w.sync().code, 0);
    assert!(loose_in_17(&cache) < before, "git's gc ran after the fetch");
}

#[test]
fn a_commit_a_stopped_fetch_left_without_its_files_is_fetched_again() {
    let w = World::new();
    w.seed("main");
    assert_eq!(w.sync().code, 0);
    let new = w.commit(Gitlab, "main", "half fetched");
    // What a fetch stopped halfway can leave in the cache: the commit object alone (a pack
    // lists commits first), its tree and blobs not.
    let cache = w.path(".gfbridge/widgets/cache.git");
    let body =
        run_ok(git().arg("--git-dir").arg(w.remote(Gitlab)).args(["cat-file", "commit", &new]));
    let written =
        git_with_input(&cache, &["hash-object", "-t", "commit", "-w", "--stdin"], body.as_bytes());
    assert_eq!(written.trim(), new, "the same commit");

    let run = w.sync();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(w.tip(Fusion, "main").as_deref(), Some(new.as_str()));
}
