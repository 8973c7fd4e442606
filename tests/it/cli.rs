//! The command line itself: clap's consistency check, what `--help` promises, and logs in
//! JSON for services.

use clap::CommandFactory;

use crate::harness::*;

#[test]
fn the_cli_definition_is_consistent() {
    gfbridge::cli::Cli::command().debug_assert();
}

#[test]
fn help_names_every_command_and_the_exit_codes() {
    let w = World::new();
    let run = w.gfbridge(&["--help"]);
    assert_eq!(run.code, 0, "{run}");
    for word in ["sync", "check", "authors", "init", "Exit codes", "3 attention", "4 busy"] {
        assert!(run.stdout.contains(word), "`{word}` missing from --help:\n{}", run.stdout);
    }
    let sync = w.gfbridge(&["sync", "--help"]);
    for flag in ["--dry-run", "--retry-failed", "--wait", "--workspace", "--branch", "--format"] {
        assert!(sync.stdout.contains(flag), "`{flag}` missing from sync --help:\n{}", sync.stdout);
    }
}

#[test]
fn json_logs_are_one_json_object_per_line() {
    let w = World::new();
    w.commit(Gitlab, "main", "x");
    let run = w.gfbridge(&["--log-format", "json", "-vv", "sync"]);
    assert_eq!(run.code, 0, "{run}");
    let lines: Vec<&str> = run.stderr.lines().filter(|l| !l.is_empty()).collect();
    assert!(!lines.is_empty(), "-vv logs something: {run}");
    for line in lines {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(value.get("level").is_some() && value.get("fields").is_some(), "{line}");
    }
}

#[test]
fn a_usage_error_exits_2() {
    let w = World::new();
    let run = w.gfbridge(&["sync", "--format", "yaml"]);
    assert_eq!(run.code, 2, "{run}");
}
