//! `gfbridge authors`: the prediction of each commit's Perforce owner equals what the Git
//! Fusion stand-in records after the real push; `--format usermap` makes Git Fusion agree.

use std::collections::BTreeMap;

use crate::harness::*;

fn predicted(w: &World, args: &[&str]) -> (i32, BTreeMap<String, serde_json::Value>) {
    let run = w.gfbridge(&[&["authors", "--format", "json"], args].concat());
    let json = run.json();
    let rows = json["workspaces"][0]["authors"].as_array().expect("authors").clone();
    (
        run.code,
        rows.into_iter().map(|r| (r["email"].as_str().expect("email").to_string(), r)).collect(),
    )
}

#[test]
fn predicted_owners_equal_the_owners_git_fusion_records() {
    let w = World::new();
    w.seed("main");
    let authors = [
        ("Jane Doe", "jane@example.com"),
        ("Jane Doe", "jane@contractor.example"),
        ("Bob Smith", "bob@dhcp.corp.example.com"),
        ("Zed", "zed@nowhere.test"),
    ];
    let mut commit_author = BTreeMap::new();
    for (i, (name, email)) in authors.iter().enumerate() {
        w.set_author(name, email);
        let oid = w.commit(Gitlab, "main", &format!("work {i}"));
        commit_author.insert(oid, email.to_string());
    }
    let (code, rows) = predicted(&w, &[]);
    assert_eq!(code, 0, "{rows:#?}");
    assert_eq!(rows.len(), 4, "only the outgoing commits' authors: {rows:#?}");
    let via: Vec<(&str, &str)> =
        rows.values().map(|r| (r["email"].as_str().unwrap(), r["via"].as_str().unwrap())).collect();
    assert!(via.contains(&("jane@contractor.example", "usermap")), "{via:?}");
    assert!(via.contains(&("bob@dhcp.corp.example.com", "p4_users")), "{via:?}");
    assert!(via.contains(&("zed@nowhere.test", "unknown_git")), "{via:?}");
    assert_eq!(w.sync().code, 0);
    for change in
        w.changelists().iter().filter(|c| commit_author.contains_key(c["sha1"].as_str().unwrap()))
    {
        let email = &commit_author[change["sha1"].as_str().unwrap()];
        assert_eq!(change["owner"], rows[email]["p4_user"], "owner of {email}'s commit");
    }
}

#[test]
fn all_history_counts_commits_already_in_git_fusion() {
    let w = World::new();
    w.seed("main");
    w.commit(Gitlab, "main", "outgoing");
    let (_, outgoing) = predicted(&w, &[]);
    assert_eq!(outgoing["jane@example.com"]["commits"], 1);
    let (_, all) = predicted(&w, &["--all-history"]);
    assert_eq!(all["jane@example.com"]["commits"], 2);
}

#[test]
fn an_unmapped_author_is_shown_and_exits_3() {
    let w = World::new();
    w.seed("main");
    w.remove_p4_user("unknown_git");
    w.set_author("Zed", "zed@nowhere.test");
    w.commit(Gitlab, "main", "x");
    let (code, rows) = predicted(&w, &[]);
    assert_eq!(code, 3);
    assert_eq!(rows["zed@nowhere.test"]["via"], "unmapped");
    assert!(rows["zed@nowhere.test"]["p4_user"].is_null());
    let text = w.gfbridge(&["authors"]);
    assert!(
        text.stdout.contains("(rejected)") && text.stdout.contains("not permitted to commit"),
        "{text}"
    );
}

#[test]
fn usermap_lines_make_git_fusion_follow_the_authors_table() {
    let w = World::new();
    w.seed("main");
    w.write_config(&format!(
        "[authors]\n\"Jane@Example.com\" = \"bsmith\"\n{}",
        w.default_config()
    ));
    w.commit(Gitlab, "main", "attributed to bsmith by intent");
    let (code, rows) = predicted(&w, &[]);
    assert_eq!(code, 3, "a mismatch needs attention");
    assert_eq!(
        (
            rows["jane@example.com"]["p4_user"].as_str(),
            rows["jane@example.com"]["intended"].as_str()
        ),
        (Some("jdoe"), Some("bsmith"))
    );
    let usermap = w.gfbridge(&["authors", "--format", "usermap"]);
    let lines: Vec<&str> = usermap.stdout.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines, vec!["bsmith Jane@Example.com \"Jane Doe\""], "{usermap}");
    // Put the line at the top of Git Fusion's usermap: now Git Fusion agrees and the push goes.
    let path = w.remote(Fusion).join("fusion/depot/.git-fusion/users/p4gf_usermap");
    let old = std::fs::read_to_string(&path).expect("usermap");
    std::fs::write(&path, format!("{}\n{old}", lines[0])).expect("usermap");
    assert_eq!(predicted(&w, &[]).0, 0);
    assert_eq!(w.sync().code, 0);
    assert_eq!(w.changelists().pop().expect("cl")["owner"], "bsmith");
    let none = w.gfbridge(&["authors", "--format", "usermap"]);
    assert_eq!(none.stdout.lines().filter(|l| !l.starts_with('#')).count(), 0, "{none}");
}

#[test]
fn authors_without_perforce_is_an_operational_error_saying_why() {
    let w = World::new();
    w.write_config(DEFAULT_CONFIG);
    let run = w.gfbridge(&["authors"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("[perforce]"), "{run}");
}

#[test]
fn authors_on_a_busy_workspace_exits_4_and_suggests_no_flag_it_lacks() {
    let w = World::new();
    w.seed("main");
    let _lock = hold_lock(&w, "widgets");
    let run = w.gfbridge(&["authors"]);
    assert_eq!(run.code, 4, "{run}");
    assert!(run.stderr.contains("busy"), "{run}");
    assert!(!run.stderr.contains("--wait"), "authors has no --wait: {run}");
}

/// Sets up the stand-in for a generated case of `fusion_authors::generated_case`.
fn world_for(case: &serde_json::Value) -> World {
    let w = World::new();
    let users: Vec<String> =
        case["users"].as_array().unwrap().iter().map(|u| u.to_string()).collect();
    w.fusion_file("users.jsonl", &(users.join("\n") + "\n"));
    match case["usermap"].as_str() {
        Some(text) => w.fusion_file("depot/.git-fusion/users/p4gf_usermap", text),
        None => w.fusion_file("depot/.git-fusion/users/p4gf_usermap", ""),
    }
    let mut global = String::from("[authentication]\n");
    for key in ["author_source", "email_case"] {
        if let Some(value) = case[key].as_str() {
            let name =
                if key == "author_source" { "author-source" } else { "email-case-sensitivity" };
            global.push_str(&format!("{name} = {value}\n"));
        }
    }
    w.global_config(&global);
    let handling = if case["folding"].as_bool().unwrap() { "insensitive" } else { "sensitive" };
    w.fusion_file("info.json", &format!("{{\"caseHandling\": \"{handling}\"}}\n"));
    w
}

/// For generated authors, users, usermaps and settings: every push the Git Fusion stand-in
/// refuses was predicted (an author with no owner), and every changelist it records is owned
/// by the user gfbridge predicted. More cases with GFBRIDGE_AUTHOR_PUSHES.
#[test]
fn for_generated_cases_the_stand_in_records_the_predicted_owners_after_a_real_push() {
    let count =
        std::env::var("GFBRIDGE_AUTHOR_PUSHES").ok().and_then(|n| n.parse().ok()).unwrap_or(12);
    let mut choices = crate::fusion_authors::Choices(0x1234_5678_9ABC_DEF1);
    for i in 0..count {
        let case = crate::fusion_authors::generated_case(&mut choices);
        let w = world_for(&case);
        let mut pushed = Vec::new();
        for (j, c) in case["commits"].as_array().unwrap().iter().enumerate() {
            let (name, email) = (c[0].as_str().unwrap(), c[1].as_str().unwrap());
            w.set_author(name, email);
            pushed.push((w.commit(Gitlab, "main", &format!("commit {j}")), name, email));
        }
        let run = w.gfbridge(&["authors", "--format", "json"]);
        assert!(run.code == 0 || run.code == 3, "case {i}: {run}\n{case}");
        let rows = run.json()["workspaces"][0]["authors"].as_array().expect("rows").clone();
        let predicted = |name: &str, email: &str| -> Option<String> {
            let row = rows
                .iter()
                .find(|r| {
                    r["name"] == name
                        && r["email"].as_str().unwrap().to_lowercase() == email.to_lowercase()
                })
                .unwrap_or_else(|| panic!("case {i}: no row for {name} <{email}>: {rows:#?}"));
            row["p4_user"].as_str().map(str::to_string)
        };
        let refusal_predicted = pushed.iter().any(|(_, n, e)| predicted(n, e).is_none());
        // A real push to the stand-in, not through gfbridge: does Git Fusion accept it?
        let (accepted, said) = w.plain_push_to_fusion(Gitlab, "refs/heads/main:refs/heads/main");
        assert_eq!(!accepted, refusal_predicted, "case {i}: {case}\n{said}\n{rows:#?}");
        if accepted {
            let owners: BTreeMap<String, String> = w
                .changelists()
                .iter()
                .map(|c| {
                    (
                        c["sha1"].as_str().unwrap().to_string(),
                        c["owner"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect();
            for (oid, name, email) in &pushed {
                assert_eq!(
                    owners.get(oid).cloned(),
                    predicted(name, email),
                    "case {i}: owner of {name} <{email}>'s commit\n{case}"
                );
            }
        }
    }
}
