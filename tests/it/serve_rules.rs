//! The service's pure parts, row by row: what a webhook asks for, how requests coalesce, and
//! the bounded memory of delivery keys.

use std::path::Path;

use gfbridge::config::Config;
use gfbridge::serve::dedupe::SeenKeys;
use gfbridge::serve::health::{judge, Seen, GRACE};
use gfbridge::serve::scheduler::{Requested, Scheduler};
use gfbridge::serve::webhook::{route, Change, Delivery};
use gfbridge::sync::Announced;
use serde_json::{json, Value};

const CONFIG: &str = r#"
[gitlab]
url = "https://gitlab.example.com"
bridge_username = "bridge-bot"

[[workspace]]
name = "widgets"
gitlab_project = "acme/widgets"
gitlab_remote = "gitlab.git"
fusion_remote = "fusion.git"
fusion_repo = "acme/widgets"
branches = ["main", "release/*"]
protected_from = "config"

[[workspace]]
name = "widgets-hotfix"
gitlab_project = 15
gitlab_remote = "gitlab.git"
fusion_remote = "fusion2.git"
fusion_repo = "acme/widgets-hotfix"
branches = ["hotfix/*"]
protected_from = "config"
"#;

const A: &str = "95790bf891e76fee5e1747ab589903a6a1f80f22";
const B: &str = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7";
const ZEROS: &str = "0000000000000000000000000000000000000000";

fn config() -> Config {
    Config::parse(Path::new("/etc/gfbridge.toml"), CONFIG).expect("valid config")
}

fn push(refname: &str, before: &str, after: &str) -> Value {
    json!({
        "object_kind": "push", "ref": refname, "before": before, "after": after,
        "user_username": "jsmith", "project_id": 15,
        "project": {"id": 15, "path_with_namespace": "Acme/Widgets"}
    })
}

/// The delivery for a push of `branch` to `B` (every pushed row's `after`).
fn sync(workspaces: &[&str], branch: &str, change: Change) -> Delivery {
    let workspaces = workspaces.iter().map(|w| w.to_string()).collect();
    let tip = (change != Change::Deleted).then(|| B.parse().unwrap());
    Delivery::Sync { workspaces, branch: branch.parse().unwrap(), change, tip }
}

#[test]
fn webhook_routing_table() {
    let config = config();
    let mut by_bridge = push("refs/heads/main", A, B);
    by_bridge["user_username"] = "bridge-bot".into();
    let mut other = push("refs/heads/main", A, B);
    other["project_id"] = 7.into();
    other["project"] = json!({"id": 7, "path_with_namespace": "acme/gadgets"});
    let mut tag = push("refs/tags/v1", ZEROS, B);
    tag["object_kind"] = "tag_push".into();
    let rows: Vec<(&str, Option<&str>, Value, Delivery)> = vec![
        (
            "update, path match ignores case",
            Some("Push Hook"),
            push("refs/heads/main", A, B),
            sync(&["widgets"], "main", Change::Updated),
        ),
        (
            "wildcard branch",
            None,
            push("refs/heads/release/2.0", A, B),
            sync(&["widgets"], "release/2.0", Change::Updated),
        ),
        (
            "created",
            Some("Push Hook"),
            push("refs/heads/main", ZEROS, B),
            sync(&["widgets"], "main", Change::Created),
        ),
        (
            "deleted",
            Some("Push Hook"),
            push("refs/heads/main", A, ZEROS),
            sync(&["widgets"], "main", Change::Deleted),
        ),
        (
            "deleted in a SHA-256 repository: 64 zeros",
            Some("Push Hook"),
            push("refs/heads/main", A, &"0".repeat(64)),
            sync(&["widgets"], "main", Change::Deleted),
        ),
        (
            "created in a SHA-256 repository",
            Some("Push Hook"),
            push("refs/heads/main", &"0".repeat(64), B),
            sync(&["widgets"], "main", Change::Created),
        ),
        (
            "a renamed project still matches by its numeric id (a TOML integer)",
            Some("Push Hook"),
            {
                let mut renamed = push("refs/heads/hotfix/2", A, B);
                renamed["project"]["path_with_namespace"] = "acme/renamed".into();
                renamed
            },
            sync(&["widgets-hotfix"], "hotfix/2", Change::Updated),
        ),
        (
            "numeric id selects the second workspace",
            Some("Push Hook"),
            push("refs/heads/hotfix/1", A, B),
            sync(&["widgets-hotfix"], "hotfix/1", Change::Updated),
        ),
        (
            "unmirrored branch",
            Some("Push Hook"),
            push("refs/heads/feature", A, B),
            Delivery::Ignore("branch is not mirrored"),
        ),
        (
            "pushed by the bridge",
            Some("Push Hook"),
            by_bridge,
            Delivery::Ignore("pushed by the bridge account"),
        ),
        (
            "other project",
            Some("Push Hook"),
            other,
            Delivery::Ignore("no workspace has this project"),
        ),
        (
            "tag push, tags not mirrored",
            Some("Tag Push Hook"),
            tag.clone(),
            Delivery::Ignore("tag is not mirrored"),
        ),
        (
            "a tag push event under the branch header",
            Some("Push Hook"),
            tag,
            Delivery::Ignore("not a push event"),
        ),
        (
            "merge request event",
            Some("Merge Request Hook"),
            json!({"object_kind": "merge_request"}),
            Delivery::Ignore("not a push event"),
        ),
    ];
    for (what, event, body, expected) in rows {
        let got = route(&config, event, body.to_string().as_bytes()).expect(what);
        assert_eq!(got, expected, "{what}");
    }
}

#[test]
fn a_tag_push_syncs_the_workspaces_that_mirror_the_tag() {
    let config = Config::parse(
        Path::new("/etc/gfbridge.toml"),
        &CONFIG.replace("branches = [\"hotfix/*\"]", "branches = [\"hotfix/*\"]\ntags = [\"v*\"]"),
    )
    .expect("valid");
    // GitLab's own documented tag push event (gitlab-fixtures/tag-push-event.json).
    let mut body: Value =
        serde_json::from_str(include_str!("fixtures/gitlab/tag-push-event.json")).expect("fixture");
    body["project_id"] = 15.into();
    body["project"]["id"] = 15.into();
    let got = route(&config, Some("Tag Push Hook"), body.to_string().as_bytes()).expect("routes");
    assert_eq!(
        got,
        Delivery::SyncTag {
            workspaces: vec!["widgets-hotfix".into()],
            tag: "v1.0.0".parse().unwrap()
        }
    );
    body["ref"] = "refs/tags/release-1".into();
    let got = route(&config, Some("Tag Push Hook"), body.to_string().as_bytes()).expect("routes");
    assert_eq!(got, Delivery::Ignore("tag is not mirrored"));
}

#[test]
fn webhook_that_is_not_json_lacks_push_fields_or_names_an_impossible_branch_is_malformed() {
    let config = config();
    assert!(route(&config, Some("Push Hook"), b"not json").is_err());
    let body = json!({"object_kind": "push", "before": A}).to_string();
    assert!(route(&config, Some("Push Hook"), body.as_bytes()).is_err());
    let body = push("refs/heads/main..x", A, B).to_string();
    let error = route(&config, Some("Push Hook"), body.as_bytes()).expect_err("not a branch name");
    assert!(error.to_string().contains("main..x"), "{error}");
}

#[test]
fn requests_during_a_run_coalesce_into_one_follow_up() {
    let s = Scheduler::new(["a", "b"]);
    assert_eq!(s.request("a", None), Requested::Queued);
    assert_eq!(s.request("a", None), Requested::Coalesced, "a queued run absorbs requests");
    assert_eq!(s.request("nosuch", None), Requested::Unknown);
    assert_eq!(s.try_next().map(|d| d.workspace).as_deref(), Some("a"));
    assert_eq!(s.try_next(), None, "nothing else is ready");
    for _ in 0..20 {
        s.request("a", None);
    }
    assert_eq!(s.try_next(), None, "a workspace never runs twice at once");
    assert_eq!(s.request("b", None), Requested::Queued);
    assert_eq!(
        s.try_next().map(|d| d.workspace).as_deref(),
        Some("b"),
        "other workspaces run meanwhile"
    );
    s.finished("a");
    assert_eq!(s.try_next().map(|d| d.workspace).as_deref(), Some("a"), "exactly one follow-up");
    s.finished("a");
    s.finished("b");
    assert_eq!(s.try_next(), None);
    let load = s.load();
    assert_eq!((load.running, load.queued), (0, 0));
}

#[test]
fn announced_branches_accumulate_until_the_run_starts_each_with_its_latest_tip() {
    let s = Scheduler::new(["a"]);
    let announce = |branch: &str, tip: Option<&str>| Announced {
        branch: branch.parse().unwrap(),
        tip: tip.map(|t| t.parse().unwrap()),
    };
    s.request("a", Some(&announce("main", Some(A))));
    s.request("a", Some(&announce("release/1", None)));
    s.request("a", Some(&announce("main", Some(B))));
    s.request("a", None);
    let due = s.try_next().expect("a run");
    assert_eq!(due.announced, vec![announce("main", Some(B)), announce("release/1", None)]);
    s.request("a", Some(&announce("main", Some(A))));
    s.finished("a");
    assert_eq!(s.try_next().expect("follow-up").announced, vec![announce("main", Some(A))]);
}

#[test]
fn stopping_drops_queued_runs_and_refuses_new_ones() {
    let s = Scheduler::new(["a", "b"]);
    s.request("a", None);
    s.request("b", None);
    assert_eq!(s.try_next().map(|d| d.workspace).as_deref(), Some("a"));
    assert_eq!(s.stop(), vec!["b".to_string()]);
    assert_eq!(s.request("a", None), Requested::Stopping);
    assert_eq!(s.next().map(|d| d.workspace), None, "workers return once stopping");
    assert!(s.wait_for_stop(std::time::Duration::from_secs(5)));
}

#[test]
fn delivery_keys_are_remembered_up_to_the_capacity() {
    let mut seen = SeenKeys::new(2);
    assert!(seen.first_time("k1"));
    assert!(!seen.first_time("k1"));
    assert!(seen.first_time("k2"));
    assert!(seen.first_time("k3"), "evicts k1");
    assert_eq!(seen.len(), 2);
    assert!(seen.first_time("k1"), "the oldest key was forgotten");
    assert!(!seen.first_time("k3"));
}

#[test]
fn health_turns_bad_when_a_workspace_completes_no_run_for_several_intervals() {
    use std::time::{Duration, Instant};
    let minute = Duration::from_secs(60);
    let started = Instant::now();
    let limit = minute * 3 + GRACE;
    let at = |d: Duration| started + d;
    let seen = |completed: Option<Instant>| Seen { name: "widgets", interval: minute, completed };
    let rows: &[(Instant, Option<Instant>, bool, &str)] = &[
        (at(minute), None, true, "just started, nothing completed yet"),
        (at(limit), None, true, "at the limit"),
        (at(limit + Duration::from_secs(1)), None, false, "nothing ever completed"),
        (at(limit * 2), Some(at(limit)), true, "completed recently"),
        (at(limit * 3), Some(at(limit)), false, "stopped completing (a worker panics)"),
    ];
    for (now, completed, healthy, why) in rows {
        let verdict = judge(*now, started, &[seen(*completed)]);
        assert_eq!(verdict.is_ok(), *healthy, "{why}: {verdict:?}");
        if let Err(message) = verdict {
            assert!(message.contains("widgets: no run completed for"), "{message}");
        }
    }
}

#[test]
fn kept_facts_are_used_only_while_young_and_read_from_unchanged_files() {
    use gfbridge::serve::warm::{still_fresh, MAX_AGE};
    use std::time::{Duration, SystemTime};
    let (t0, t1) =
        (Some(SystemTime::UNIX_EPOCH), Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1)));
    let young = MAX_AGE - Duration::from_millis(1);
    type Stamps = Vec<Option<SystemTime>>;
    let rows: [(Duration, Stamps, Stamps, bool, &str); 6] = [
        (young, vec![], vec![], true, "online facts, young"),
        (MAX_AGE, vec![], vec![], false, "as old as the limit"),
        (young, vec![t0, t0], vec![t0, t0], true, "files unchanged"),
        (young, vec![t0, t0], vec![t0, t1], false, "a file was written since"),
        (young, vec![t0], vec![None], false, "a file is gone"),
        (young, vec![None], vec![t0], false, "a missing file appeared"),
    ];
    for (age, then, now, fresh, why) in rows {
        assert_eq!(still_fresh(age, &then, &now), fresh, "{why}");
    }
}
