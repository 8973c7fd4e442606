//! The command line itself: clap's consistency check, what `--help` promises, and logs in
//! JSON for services. The binary is run through `assert_cmd` where only its own arguments
//! matter (no world, no config).

use assert_cmd::Command;
use clap::CommandFactory;

use crate::harness::*;

#[test]
fn the_cli_definition_is_consistent() {
    gfbridge::cli::Cli::command().debug_assert();
}

/// Runs the built gfbridge with `args` and no config, and returns what it printed.
fn gfbridge(args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("gfbridge").expect("built").env_remove("GFBRIDGE_CONFIG").args(args).assert()
}

fn stdout(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

#[test]
fn help_names_every_command_and_the_exit_codes() {
    let help = stdout(&gfbridge(&["--help"]).success());
    for word in
        ["sync", "check", "authors", "init", "Exit codes", "3 attention", "4 busy", "130/143"]
    {
        assert!(help.contains(word), "`{word}` missing from --help:\n{help}");
    }
    let sync = stdout(&gfbridge(&["sync", "--help"]).success());
    for flag in ["--dry-run", "--retry-failed", "--wait", "--workspace", "--branch", "--format"] {
        assert!(sync.contains(flag), "`{flag}` missing from sync --help:\n{sync}");
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
    gfbridge(&["sync", "--format", "yaml"]).code(2);
}

#[test]
fn logs_to_a_pipe_carry_no_colour_codes() {
    let w = World::new();
    w.commit(Gitlab, "main", "x");
    let run = w.gfbridge(&["-vv", "sync"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains("INFO") || run.stderr.contains("DEBUG"), "-vv logs: {run}");
    assert!(!run.stderr.contains('\x1b') && !run.stdout.contains('\x1b'), "{run:?}");
}

#[test]
fn an_error_is_printed_once() {
    let w = World::new();
    w.write_config(&w.default_config().replace("\"gitlab.git\"", "\"missing.git\""));
    let run = w.sync();
    assert_eq!(run.code, 1, "{run}");
    let all = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(all.matches("gitlab remote: `git ls-remote").count(), 1, "{run}");
    assert!(run.stderr.contains("gitlab remote:"), "errors go to stderr: {run}");
}

#[test]
fn sync_wait_beyond_a_day_is_a_usage_error_naming_the_flag() {
    let refused = gfbridge(&["sync", "--wait", "18446744073709551615"]).code(2);
    let said = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(said.contains("--wait"), "{said}");
}

#[test]
fn completions_and_man_pages_come_from_the_cli_definition() {
    let w = World::new();
    let bash = w.gfbridge(&["completions", "bash"]);
    assert_eq!(bash.code, 0, "{bash}");
    assert!(bash.stdout.contains("gfbridge") && bash.stdout.contains("--retry-failed"), "{bash}");
    let man = w.gfbridge(&["man"]);
    assert_eq!(man.code, 0, "{man}");
    assert!(man.stdout.starts_with(".ie") || man.stdout.contains(".TH gfbridge"), "{man}");
    let dir = w.path("man");
    let run = w.gfbridge(&["man", "-o", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run}");
    for page in ["gfbridge.1", "gfbridge-sync.1", "gfbridge-status.1", "gfbridge-report.1"] {
        assert!(dir.join(page).is_file(), "{page} written");
    }
}
