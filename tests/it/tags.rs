//! Tags (docs/tags.md) end to end against the Git Fusion stand-in, which enforces Git Fusion's
//! tag rules (docs/tags.md): invalid names fail the whole push, a moved tag is refused, a
//! tag of a commit no branch reaches is dropped after the push, and stored tags are recorded.

use serde_json::Value;

use crate::harness::*;

/// A world mirroring tags `v*` and `release-*`, with `main` in sync on both sides.
fn tagged_world() -> World {
    let w = World::new();
    w.write_config(&format!("{}tags = [\"v*\", \"release-*\"]\n", w.default_config()));
    w.seed("main");
    assert_eq!(w.sync().code, 0);
    w
}

/// Makes a lightweight tag on `side`.
fn tag(w: &World, side: Side, name: &str, target: &str) {
    run_ok(git().arg("--git-dir").arg(w.remote(side)).args([
        "update-ref",
        &format!("refs/tags/{name}"),
        target,
    ]));
}

/// Makes an annotated tag on `side` and returns the tag object's id.
fn annotated(w: &World, side: Side, name: &str, target: &str) -> String {
    run_ok(
        git()
            .arg("--git-dir")
            .arg(w.remote(side))
            .args(["-c", "user.name=Rel Eng", "-c", "user.email=releng@example.com"])
            .args(["tag", "-a", "-m", &format!("release {name}"), name, target]),
    );
    tag_on(w, side, name).expect("the tag exists")
}

fn tag_on(w: &World, side: Side, name: &str) -> Option<String> {
    let out = git()
        .arg("--git-dir")
        .arg(w.remote(side))
        .args(["rev-parse", "--verify", "-q", &format!("refs/tags/{name}")])
        .output()
        .expect("git");
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn tag_entry(run: &Run, name: &str) -> Value {
    let json = run.json();
    let tags = json["workspaces"][0]["tags"].as_array().expect("tags").clone();
    tags.into_iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no tag {name}: {}", run.stdout))
}

fn fusion_pushes(w: &World) -> u64 {
    std::fs::read_to_string(w.remote(Fusion).join("fusion/push-id"))
        .map_or(0, |t| t.trim().parse().expect("id"))
}

fn stored_tags(w: &World) -> Vec<Value> {
    read_jsonl(&w.remote(Fusion).join("fusion/tags.jsonl"))
}

#[test]
fn a_gitlab_tag_reaches_git_fusion_in_the_same_push_as_its_branch() {
    let w = tagged_world();
    let commit = w.commit(Gitlab, "main", "release 1.0");
    tag(&w, Gitlab, "v1.0", &commit);
    let pushes = fusion_pushes(&w);
    let run = w.sync_json();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(fusion_pushes(&w), pushes + 1, "one push carried the branch and the tag");
    assert_eq!(tag_on(&w, Fusion, "v1.0").as_deref(), Some(commit.as_str()));
    let entry = tag_entry(&run, "v1.0");
    assert_eq!(
        (entry["kind"].as_str(), entry["action"].as_str(), entry["outcome"].as_str()),
        (Some("tag"), Some("push_to_fusion"), Some("done"))
    );
    assert_eq!(run.branch("main")["kind"], "branch");
    assert!(
        stored_tags(&w).iter().any(|t| t["tag"] == "v1.0" && t["sha1"] == commit.as_str()),
        "Git Fusion stored it"
    );
    let journal = w.journal();
    assert!(
        journal
            .iter()
            .any(|l| l["kind"] == "tag" && l["branch"] == "v1.0" && l["outcome"] == "done"),
        "{journal:?}"
    );
    // Seen on both sides: in sync from now on, and a no-op sync still lists each side once.
    w.wrap_git(r#"echo "$*" >> "$WORLD/git-calls""#);
    let again = w.sync_json();
    assert_eq!(tag_entry(&again, "v1.0")["action"], "in_sync");
    let calls = std::fs::read_to_string(w.path("git-calls")).expect("calls");
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(calls.len(), 2, "{calls:#?}");
    assert!(calls.iter().all(|c| c.starts_with("ls-remote --heads --tags")), "{calls:#?}");
}

#[test]
fn without_tags_configured_no_tag_is_listed_or_mirrored() {
    let w = World::new();
    w.seed("main");
    assert_eq!(w.sync().code, 0);
    let tip = w.tip(Gitlab, "main").expect("main");
    tag(&w, Gitlab, "v1.0", &tip);
    w.wrap_git(r#"echo "$*" >> "$WORLD/git-calls""#);
    let run = w.sync_json();
    assert_eq!(run.json()["workspaces"][0]["tags"], serde_json::json!([]));
    assert_eq!(tag_on(&w, Fusion, "v1.0"), None);
    let calls = std::fs::read_to_string(w.path("git-calls")).expect("calls");
    assert!(
        calls.lines().all(|c| c.starts_with("ls-remote --heads ") && !c.contains("--tags")),
        "{calls}"
    );
}

#[test]
fn a_git_fusion_tag_reaches_gitlab_and_an_annotated_tag_keeps_its_object() {
    let w = tagged_world();
    let commit = w.commit(Fusion, "main", "p4 release");
    let object = annotated(&w, Fusion, "release-7", &commit);
    assert_ne!(object, commit, "an annotated tag is its own object");
    let run = w.sync_json();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(
        tag_on(&w, Gitlab, "release-7").as_deref(),
        Some(object.as_str()),
        "the tag object itself, not a new one"
    );
    let kind =
        run_ok(git().arg("--git-dir").arg(w.remote(Gitlab)).args(["cat-file", "-t", &object]));
    assert_eq!(kind.trim(), "tag");
    assert_eq!(tag_entry(&run, "release-7")["target"], commit.as_str());

    let tip = w.tip(Gitlab, "main").expect("main");
    let object = annotated(&w, Gitlab, "v2.0", &tip);
    assert_eq!(w.sync().code, 0);
    assert_eq!(tag_on(&w, Fusion, "v2.0").as_deref(), Some(object.as_str()));
    assert!(stored_tags(&w).iter().any(|t| t["tag"] == "v2.0" && t["annotated"] == true));
}

#[test]
fn the_same_tag_on_different_objects_is_a_conflict_and_neither_moves() {
    let w = tagged_world();
    let tip = w.tip(Gitlab, "main").expect("main");
    let ours = w.commit(Gitlab, "main", "ours");
    tag(&w, Gitlab, "v3", &ours);
    tag(&w, Fusion, "v3", &tip);
    let run = w.sync_json();
    assert_eq!(run.code, 3, "{run}");
    let entry = tag_entry(&run, "v3");
    assert_eq!(entry["action"], "tag_conflict", "{run}");
    assert_eq!(
        (entry["gitlab"].as_str(), entry["fusion"].as_str()),
        (Some(ours.as_str()), Some(tip.as_str())),
        "both objects are named"
    );
    assert_eq!(tag_on(&w, Fusion, "v3").as_deref(), Some(tip.as_str()));
    assert_eq!(tag_on(&w, Gitlab, "v3").as_deref(), Some(ours.as_str()));
    assert_eq!(w.tip(Fusion, "main").as_deref(), Some(ours.as_str()), "the branch still went");
    // The same object on both sides is no conflict.
    tag(&w, Fusion, "v4", &tip);
    tag(&w, Gitlab, "v4", &tip);
    assert_eq!(tag_entry(&w.sync_json(), "v4")["action"], "in_sync");
}

#[test]
fn a_force_moved_tag_is_reported_and_never_propagated() {
    let w = tagged_world();
    let first = w.tip(Gitlab, "main").expect("main");
    tag(&w, Gitlab, "v5", &first);
    assert_eq!(w.sync().code, 0);
    assert_eq!(w.sync().code, 0, "seen on both sides");
    let moved = w.commit(Gitlab, "main", "later");
    tag(&w, Gitlab, "v5", &moved);
    let run = w.sync_json();
    assert_eq!(run.code, 3, "{run}");
    assert_eq!(tag_entry(&run, "v5")["action"], "tag_conflict");
    assert_eq!(
        tag_on(&w, Fusion, "v5").as_deref(),
        Some(first.as_str()),
        "Git Fusion's tag did not move"
    );
}

#[test]
fn a_deleted_tag_is_reported_and_never_recreated() {
    let w = tagged_world();
    let tip = w.tip(Gitlab, "main").expect("main");
    tag(&w, Gitlab, "v6", &tip);
    assert_eq!(w.sync().code, 0);
    assert_eq!(w.sync().code, 0, "seen on both sides");
    run_ok(git().arg("--git-dir").arg(w.remote(Fusion)).args(["update-ref", "-d", "refs/tags/v6"]));
    for _ in 0..2 {
        let run = w.sync_json();
        assert_eq!(run.code, 3, "{run}");
        let entry = tag_entry(&run, "v6");
        assert_eq!(
            (entry["action"].as_str(), entry["side"].as_str()),
            (Some("deleted"), Some("fusion"))
        );
        assert_eq!(tag_on(&w, Fusion, "v6"), None, "not recreated");
        assert_eq!(
            tag_on(&w, Gitlab, "v6").as_deref(),
            Some(tip.as_str()),
            "not deleted on GitLab either"
        );
    }
}

#[test]
fn an_invalid_tag_name_is_left_out_and_the_rest_of_the_push_lands() {
    let w = tagged_world();
    let commit = w.commit(Gitlab, "main", "next");
    tag(&w, Gitlab, "v7@beta", &commit);
    tag(&w, Gitlab, "v7", &commit);
    let run = w.sync_json();
    assert_eq!(run.code, 3, "{run}");
    let bad = tag_entry(&run, "v7@beta");
    assert_eq!(bad["action"], "blocked");
    assert_eq!(bad["reasons"][0]["code"], "invalid_tag_name");
    assert_eq!(tag_on(&w, Fusion, "v7@beta"), None);
    assert_eq!(tag_on(&w, Fusion, "v7").as_deref(), Some(commit.as_str()), "the good tag landed");
    assert_eq!(w.tip(Fusion, "main").as_deref(), Some(commit.as_str()), "the branch landed");
    // Git Fusion itself would have refused the whole push for it.
    let (ok, said) = w.plain_push_to_fusion(Gitlab, "refs/tags/v7@beta:refs/tags/v7@beta");
    assert!(
        !ok && said.contains("illegal characters (@#*,...%%) in tag name: 'v7@beta'"),
        "{said}"
    );
}

#[test]
fn a_tag_of_a_commit_no_git_fusion_branch_reaches_is_not_stored_and_not_pushed_again() {
    let w = tagged_world();
    let side = w.commit(Gitlab, "feature", "not mirrored");
    tag(&w, Gitlab, "v8", &side);
    let pushes = fusion_pushes(&w);
    for _ in 0..2 {
        let run = w.sync_json();
        assert_eq!(run.code, 0, "exit unchanged: {run}");
        let entry = tag_entry(&run, "v8");
        assert_eq!(entry["action"], "not_stored");
        assert_eq!(entry["reasons"][0]["code"], "tag_not_stored");
        assert_eq!(fusion_pushes(&w), pushes, "nothing pushed, no loop");
    }
    // Git Fusion would take it and drop it after the push.
    let (ok, _) = w.plain_push_to_fusion(Gitlab, "refs/tags/v8:refs/tags/v8");
    assert!(ok);
    assert_eq!(tag_on(&w, Fusion, "v8"), None, "dropped by Git Fusion");
}

#[test]
fn a_tag_of_a_tree_is_pushed_and_reported_as_not_in_perforce() {
    let w = tagged_world();
    let tree =
        run_ok(git().arg("--git-dir").arg(w.remote(Gitlab)).args(["rev-parse", "main^{tree}"]))
            .trim()
            .to_string();
    tag(&w, Gitlab, "v9-tree", &tree);
    let run = w.sync_json();
    assert_eq!(run.code, 0, "{run}");
    let entry = tag_entry(&run, "v9-tree");
    assert_eq!(entry["outcome"], "done");
    assert_eq!(entry["reasons"][0]["code"], "tag_not_in_perforce");
    assert_eq!(tag_on(&w, Fusion, "v9-tree").as_deref(), Some(tree.as_str()));
}

#[test]
fn a_tag_waits_for_the_branch_that_brings_its_commit() {
    let w = tagged_world();
    let commit = w.commit(Fusion, "release/2", "not yet on GitLab");
    tag(&w, Fusion, "v10", &commit);
    // release/2 is mirrored: the tag goes in the same push as the branch that brings it.
    let run = w.gfbridge(&["sync", "--dry-run", "--format", "json"]);
    assert_eq!(tag_entry(&run, "v10")["action"], "push_to_gitlab", "{run}");
    // Not mirrored: nothing brings the commit to GitLab, so the tag waits (exit unchanged).
    let config =
        w.default_config().replace(r#"branches = ["main", "release/*"]"#, r#"branches = ["main"]"#);
    w.write_config(&format!("{config}tags = [\"v*\"]\n"));
    let run = w.sync_json();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(tag_entry(&run, "v10")["action"], "waiting");
    assert_eq!(tag_on(&w, Gitlab, "v10"), None);
}

mod hook {
    use super::*;

    fn hooked() -> (World, std::path::PathBuf) {
        let w = tagged_world();
        let hooks = w.gfbridge(&["hook", "install", "-w", "widgets", "--repo", "gitlab.git"]);
        assert_eq!(hooks.code, 0, "{hooks}");
        let clone = w.path("work");
        run_ok(git().arg("clone").arg("--quiet").arg(w.remote(Gitlab)).arg(&clone));
        (w, clone)
    }

    fn push(clone: &std::path::Path, args: &[&str]) -> (bool, String) {
        let out: std::process::Output =
            git().arg("-C").arg(clone).arg("push").args(args).output().expect("push");
        (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
    }

    #[test]
    fn the_hook_proxies_a_new_tag_and_refuses_moving_or_deleting_one() {
        let (w, clone) = hooked();
        let tip = w.tip(Gitlab, "main").expect("main");
        run_ok(git().arg("-C").arg(&clone).args(["tag", "v11", &tip]));
        let (ok, said) = push(&clone, &["origin", "refs/tags/v11"]);
        assert!(ok, "{said}");
        assert_eq!(
            tag_on(&w, Fusion, "v11").as_deref(),
            Some(tip.as_str()),
            "proxied to Git Fusion"
        );
        assert_eq!(tag_on(&w, Gitlab, "v11").as_deref(), Some(tip.as_str()));

        let earlier = run_ok(
            git()
                .arg("-C")
                .arg(&clone)
                .args(["commit-tree", "-m", "x", &format!("{tip}^{{tree}}")])
                .env("GIT_AUTHOR_NAME", "a")
                .env("GIT_AUTHOR_EMAIL", "a@example.com")
                .env("GIT_COMMITTER_NAME", "a")
                .env("GIT_COMMITTER_EMAIL", "a@example.com"),
        )
        .trim()
        .to_string();
        run_ok(git().arg("-C").arg(&clone).args(["tag", "-f", "v11", &earlier]));
        let (ok, said) = push(&clone, &["--force", "origin", "refs/tags/v11"]);
        assert!(!ok && said.contains("moving a mirrored tag is not allowed"), "{said}");
        let (ok, said) = push(&clone, &["origin", ":refs/tags/v11"]);
        assert!(!ok && said.contains("deleting a mirrored tag is not allowed"), "{said}");
        assert_eq!(tag_on(&w, Gitlab, "v11").as_deref(), Some(tip.as_str()), "GitLab kept it");
        assert_eq!(
            tag_on(&w, Fusion, "v11").as_deref(),
            Some(tip.as_str()),
            "and so did Git Fusion"
        );
    }
}

mod rules {
    use gfbridge::fusion::tags::name_refusal;
    use gfbridge::git::remote::{parse_ls_remote_refs, TagTip};
    use gfbridge::plan::Side;
    use gfbridge::tags::{decide, TagAction};

    fn tip(object: &str, peeled: &str) -> TagTip {
        TagTip {
            object: object.repeat(40).parse().expect("oid"),
            peeled: peeled.repeat(40).parse().expect("oid"),
        }
    }

    #[test]
    fn the_tag_decision_table() {
        let (a, b) = (tip("a", "a"), tip("b", "b"));
        let seen = Some("a".repeat(40).parse().expect("oid"));
        let cases = [
            (Some(a), Some(a), None, TagAction::InSync),
            (Some(a), Some(a), seen, TagAction::InSync),
            (Some(a), Some(b), None, TagAction::Conflict),
            (Some(b), Some(a), seen, TagAction::Conflict),
            (Some(a), None, None, TagAction::Push { to: Side::Fusion }),
            (None, Some(a), None, TagAction::Push { to: Side::Gitlab }),
            (Some(a), None, seen, TagAction::Deleted { side: Side::Fusion }),
            (None, Some(b), seen, TagAction::Deleted { side: Side::Gitlab }),
        ];
        for (gitlab, fusion, seen, expected) in cases {
            assert_eq!(decide(gitlab, fusion, seen), expected, "{gitlab:?} {fusion:?} {seen:?}");
        }
    }

    #[test]
    fn git_fusion_refuses_the_names_reference_8_5_lists() {
        for bad in ["v1@x", "v#1", "v*", "a,b", "v1...2", "50%%", "-v1"] {
            let refusal = name_refusal(bad).unwrap_or_else(|| panic!("{bad} is refused"));
            assert_eq!(refusal, format!("illegal characters (@#*,...%%) in tag name: '{bad}'"));
        }
        for good in ["v1.0", "release-2026.11", "v1..2", "50%", "v-1", "a/b"] {
            assert_eq!(name_refusal(good), None, "{good}");
        }
    }

    #[test]
    fn ls_remote_tags_are_read_with_what_they_peel_to() {
        let (t, c, l) = ("1".repeat(40), "2".repeat(40), "3".repeat(40));
        let listing = format!("{c}\trefs/heads/main\n{t}\trefs/tags/v1\n{c}\trefs/tags/v1^{{}}\n{l}\trefs/tags/light\n");
        let refs = parse_ls_remote_refs(&listing).expect("listing");
        let v1 = refs.tags.iter().find(|(n, _)| n.as_str() == "v1").expect("v1").1;
        assert_eq!((v1.object.to_string(), v1.peeled.to_string()), (t.clone(), c.clone()));
        let light = refs.tags.iter().find(|(n, _)| n.as_str() == "light").expect("light").1;
        assert_eq!(light.object, light.peeled);
        assert_eq!(refs.branches.len(), 1);
    }
}

#[test]
fn the_report_lists_tags_and_a_conflict_is_a_blocker() {
    let w = tagged_world();
    let tip = w.tip(Gitlab, "main").expect("main");
    let other = w.commit(Gitlab, "main", "other");
    assert_eq!(w.sync().code, 0);
    tag(&w, Gitlab, "v12", &other);
    tag(&w, Fusion, "v12", &tip);
    let report = w.gfbridge(&["report", "--format", "json"]);
    assert_eq!(report.code, 3, "{report}");
    let json = report.json();
    assert_eq!(json["ready"], false);
    assert_eq!(tag_entry(&report, "v12")["action"], "tag_conflict");
    let blockers = json["workspaces"][0]["blockers"].as_array().expect("blockers");
    assert!(
        blockers.iter().any(|b| b["kind"] == "tag"
            && b["id"] == "refs/tags/v12"
            && b["code"] == "tag_conflict"),
        "{blockers:?}"
    );
    let text = w.gfbridge(&["report"]);
    assert!(text.stdout.contains("tags:") && text.stdout.contains("v12"), "{text}");
}

#[test]
fn status_counts_a_tag_that_needs_attention() {
    let w = tagged_world();
    let tip = w.tip(Gitlab, "main").expect("main");
    let other = w.commit(Gitlab, "main", "other");
    assert_eq!(w.sync().code, 0);
    tag(&w, Gitlab, "v13", &other);
    tag(&w, Fusion, "v13", &tip);
    assert_eq!(w.sync().code, 3);
    let status = w.gfbridge(&["status", "--format", "json"]);
    assert!(
        status.stdout.contains("refs/tags/v13") && status.stdout.contains("tag_conflict"),
        "{status}"
    );
}
