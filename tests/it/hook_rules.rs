//! The hook's pure part, row by row: reading git's input and what happens to each ref.

use std::path::Path;

use gfbridge::config::Config;
use gfbridge::hook::install::script;
use gfbridge::hook::update::{judge, parse, RefUpdate, Verdict};
use gfbridge::oid::Oid;

use crate::harness::DEFAULT_CONFIG;

const A: &str = "95790bf891e76fee5e1747ab589903a6a1f80f22";
const B: &str = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7";
const C: &str = "2f3c9e1d4b5a69788f7e6d5c4b3a291817161514";
const ZEROS: &str = "0000000000000000000000000000000000000000";

fn oid(text: &str) -> Oid {
    text.parse().expect("oid")
}

/// Judges one input line; `B` descends from `A` and nothing else descends from anything.
fn verdict(line: &str) -> Verdict {
    let config = Config::parse(Path::new("/etc/gfbridge.toml"), DEFAULT_CONFIG).expect("config");
    let update = parse(line).expect("parses").remove(0);
    judge(&config.workspaces[0], &update, |old, new| old == oid(A) && new == oid(B))
}

fn refused(line: &str) -> String {
    match verdict(line) {
        Verdict::Refuse(why) => why,
        other => panic!("{line}: expected a refusal, got {other:?}"),
    }
}

#[test]
fn pre_receive_input_reads_creations_deletions_and_updates() {
    let input =
        format!("{ZEROS} {A} refs/heads/main\n{A} {B} refs/heads/x\n\n{B} {ZEROS} refs/tags/v1\n");
    let updates = parse(&input).expect("parses");
    assert_eq!(
        updates,
        vec![
            RefUpdate { old: None, new: Some(oid(A)), refname: "refs/heads/main".into() },
            RefUpdate { old: Some(oid(A)), new: Some(oid(B)), refname: "refs/heads/x".into() },
            RefUpdate { old: Some(oid(B)), new: None, refname: "refs/tags/v1".into() },
        ]
    );
}

#[test]
fn unreadable_pre_receive_input_is_an_error_naming_the_line() {
    for line in [
        "garbage",
        &format!("{A} {B}"),
        &format!("{A} nothex refs/heads/main"),
        &format!("{A} {B} refs/heads/main extra"),
    ] {
        let error = parse(line).expect_err(line).to_string();
        assert!(error.contains(line), "{error}");
    }
}

#[test]
fn mirrored_fast_forwards_and_creations_are_proxied_with_the_old_value_expected() {
    let rows = [
        (format!("{A} {B} refs/heads/main"), "main", Some(A), B),
        (format!("{ZEROS} {B} refs/heads/release/2.0/x"), "release/2.0/x", None, B),
        (format!("{A} {A} refs/heads/main"), "main", Some(A), A),
    ];
    for (line, branch, expected, new) in rows {
        let proxy = Verdict::Proxy {
            branch: branch.parse().unwrap(),
            expected: expected.map(oid),
            new: oid(new),
        };
        assert_eq!(verdict(&line), proxy, "{line}");
    }
}

#[test]
fn other_refs_pass_through_whatever_they_do() {
    for line in [
        format!("{B} {A} refs/heads/feature"),
        format!("{A} {ZEROS} refs/heads/topic"),
        format!("{B} {A} refs/tags/main"),
        format!("{ZEROS} {A} refs/merge-requests/1/head"),
        format!("{A} {B} refs/heads/releases/1"),
    ] {
        assert_eq!(verdict(&line), Verdict::PassThrough, "{line}");
    }
}

#[test]
fn deleting_a_mirrored_branch_is_refused_naming_the_ref() {
    let why = refused(&format!("{A} {ZEROS} refs/heads/release/1"));
    assert!(why.starts_with("refs/heads/release/1: deleting"), "{why}");
}

#[test]
fn rewinding_or_rewriting_a_mirrored_branch_is_refused_as_a_force_push() {
    for line in [format!("{B} {A} refs/heads/main"), format!("{A} {C} refs/heads/main")] {
        let why = refused(&line);
        assert!(
            why.contains("refs/heads/main: force pushes are not allowed on this branch"),
            "{why}"
        );
        assert!(why.contains("pull"), "{why}");
    }
}

#[test]
fn installed_hook_quotes_every_path_for_the_shell() {
    let text = script(Path::new("/opt/it's here/gfbridge"), Path::new("/etc/a b.toml"), "widgets");
    assert!(text.starts_with("#!/bin/sh\n"), "{text}");
    assert!(text.contains("gfbridge-hook"), "{text}");
    let exec = text.lines().last().expect("exec line");
    assert_eq!(
        exec,
        r"exec '/opt/it'\''s here/gfbridge' --config '/etc/a b.toml' hook pre-receive -w 'widgets'"
    );
}
