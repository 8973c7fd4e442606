//! Progress: a bar with counts on a terminal (run under a pseudo-terminal made by
//! `script`), heartbeat lines without control sequences elsewhere, nothing with `-q`.

use std::process::Command;

use crate::harness::*;

/// A GitLab side with enough history that fetching it takes a moment.
fn world_with_history() -> World {
    let w = World::new();
    let mut tip: Option<String> = None;
    for i in 0..400 {
        tip = Some(w.make_commit(Gitlab, tip.as_deref(), &format!("commit {i}")));
    }
    w.set_branch(Gitlab, "main", tip.as_deref().expect("a commit"));
    w
}

/// Quotes `word` for sh.
fn sh_quote(word: &str) -> String {
    format!("'{}'", word.replace('\'', r"'\''"))
}

#[test]
fn on_a_terminal_a_long_fetch_shows_a_bar_with_counts() {
    let w = world_with_history();
    let cmd = w.gfbridge_command(&["sync", "--dry-run"]);
    let mut line = vec![sh_quote(cmd.get_program().to_str().expect("utf8"))];
    line.extend(cmd.get_args().map(|a| sh_quote(a.to_str().expect("utf8"))));
    // `script` gives the command a pseudo-terminal and copies what it drew to stdout.
    let mut script = Command::new("script");
    script.args(["-qfec", &line.join(" "), "/dev/null"]).current_dir(w.tmp.path());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(v) => script.env(key, v),
            None => script.env_remove(key),
        };
    }
    let run =
        to_run(script.env("TERM", "xterm").env_remove("NO_COLOR").output().expect("script runs"));
    assert_eq!(run.code, 0, "{run}");
    let counts = regex::Regex::new(r"\d+/\d+ objects").unwrap();
    assert!(counts.is_match(&run.stdout), "a bar with counts: {:?}", run.stdout);
    assert!(run.stdout.contains("objects"), "{:?}", run.stdout);
}

#[test]
fn off_a_terminal_a_long_step_logs_heartbeats_without_control_sequences() {
    let w = world_with_history();
    let run = to_run(
        w.gfbridge_command(&["sync", "--dry-run"])
            .env("GFBRIDGE_HEARTBEAT", "1ms")
            .output()
            .expect("gfbridge runs"),
    );
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains("still running after"), "a heartbeat: {run}");
    assert!(run.stderr.contains("objects"), "with counts: {run}");
    for control in ['\x1b', '\r'] {
        assert!(!run.stderr.contains(control) && !run.stdout.contains(control), "{run:?}");
    }
}

#[test]
fn quiet_shows_no_progress_at_all() {
    let w = world_with_history();
    let run = to_run(
        w.gfbridge_command(&["-q", "sync", "--dry-run"])
            .env("GFBRIDGE_HEARTBEAT", "1ms")
            .output()
            .expect("gfbridge runs"),
    );
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.stderr, "", "{run}");
}
