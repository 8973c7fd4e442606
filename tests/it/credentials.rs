//! git over HTTPS with `[credentials.*]`, against git's smart HTTP behind basic
//! authentication on 127.0.0.1 (`fixtures/git_http_server.py` running `git http-backend`).
//! The secret reaches the server and nothing else: no command line, no output, no journal.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use crate::harness::*;

const SECRET: &str = "glpat-s3cr3t-never-shown-42";

/// The GitLab remote served over HTTP with basic authentication; killed on drop.
struct HttpGitlab {
    child: Child,
    url: String,
}

impl HttpGitlab {
    fn start(w: &World) -> HttpGitlab {
        let script = repo_root().join("tests/it/fixtures/git_http_server.py");
        let mut child = python3()
            .arg(script)
            .arg(w.path(""))
            .args(["oauth2", "GFB_SERVER_SECRET"])
            .env("GFB_SERVER_SECRET", SECRET)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let mut port = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut port).expect("port");
        HttpGitlab { child, url: format!("http://127.0.0.1:{}/gitlab.git", port.trim()) }
    }
}

impl Drop for HttpGitlab {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn world_over_http() -> (World, HttpGitlab) {
    let w = World::new();
    w.seed("main");
    let server = HttpGitlab::start(&w);
    let config = w.default_config().replace("\"gitlab.git\"", &format!("\"{}\"", server.url));
    w.write_config(&format!(
        "[credentials.gitlab]\nusername = \"oauth2\"\npassword_env = \"GFB_GITLAB_TOKEN\"\n{config}"
    ));
    (w, server)
}

fn sync_with_token(w: &World, token: &str) -> Run {
    run_gfbridge(
        w.gfbridge_command(&["-vv", "sync", "--format", "json"]).env("GFB_GITLAB_TOKEN", token),
    )
}

#[test]
fn a_token_from_the_environment_mirrors_over_https_and_is_shown_nowhere() {
    let (w, _server) = world_over_http();
    // Every command line git starts (remote helpers, the askpass program) is traced too.
    w.wrap_git(r#"printf '%s\n' "$*" >> "$WORLD/git-argv"; export GIT_TRACE="$WORLD/git-trace""#);
    let head = w.commit(Gitlab, "main", "over http");
    let run = sync_with_token(&w, SECRET);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(w.tip(Fusion, "main"), Some(head), "mirrored through the authenticated remote");
    let requests = std::fs::read_to_string(w.path("requests.log")).expect("the server was asked");
    assert!(requests.contains(" ok"), "{requests}");
    let argv = std::fs::read_to_string(w.path("git-argv")).expect("git ran");
    assert!(argv.contains("ls-remote"), "{argv}");
    for (what, text) in [
        ("git's command lines", argv),
        ("the command lines git started", {
            let trace = std::fs::read_to_string(w.path("git-trace")).expect("traced");
            assert!(trace.contains("run_command"), "git started children: {trace}");
            trace
        }),
        ("stdout", run.stdout.clone()),
        ("stderr (with -vv)", run.stderr.clone()),
        (
            "the journal",
            std::fs::read_to_string(w.path(".gfbridge/widgets/journal.jsonl")).unwrap_or_default(),
        ),
        (
            "the runs",
            std::fs::read_to_string(w.path(".gfbridge/widgets/runs.jsonl")).unwrap_or_default(),
        ),
        (
            "the cache's config",
            std::fs::read_to_string(w.path(".gfbridge/widgets/cache.git/config"))
                .unwrap_or_default(),
        ),
        ("the report", {
            let report = run_gfbridge(
                w.gfbridge_command(&["-vv", "report", "--format", "json"])
                    .env("GFB_GITLAB_TOKEN", SECRET),
            );
            assert_ne!(report.code, 1, "the report reached the remote: {report}");
            format!("{}{}", report.stdout, report.stderr)
        }),
    ] {
        assert!(!text.contains(SECRET), "the secret is in {what}");
    }
}

#[test]
fn a_token_from_a_file_works_and_a_wrong_one_fails_without_being_shown() {
    let (w, _server) = world_over_http();
    std::fs::write(w.path("token"), format!("{SECRET}\n")).expect("token file");
    let config = std::fs::read_to_string(w.path("gfbridge.toml")).expect("config");
    w.write_config(
        &config.replace("password_env = \"GFB_GITLAB_TOKEN\"", "password_file = \"token\""),
    );
    let head = w.commit(Gitlab, "main", "with a file");
    let run = sync_with_token(&w, "unused");
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(w.tip(Fusion, "main"), Some(head));
    std::fs::write(w.path("token"), "wrong-token-value\n").expect("token file");
    w.commit(Gitlab, "main", "refused");
    let run = sync_with_token(&w, "unused");
    assert_eq!(run.code, 1, "{run}");
    assert!(
        !run.stderr.contains("wrong-token-value") && !run.stdout.contains("wrong-token-value"),
        "{run}"
    );
}

#[test]
fn a_password_in_a_remote_url_is_a_configuration_error_naming_the_key() {
    let w = World::new();
    w.write_config(
        &DEFAULT_CONFIG.replace(
            "\"gitlab.git\"",
            "\"https://bob:hunter2@gitlab.example.com/acme/widgets.git\"",
        ),
    );
    let run = w.gfbridge(&["sync"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("workspace[0].gitlab_remote"), "{run}");
    assert!(run.stderr.contains("[credentials.gitlab]"), "says where the secret goes: {run}");
    assert!(!run.stderr.contains("hunter2") && !run.stdout.contains("hunter2"), "{run}");
}

#[test]
fn a_credentials_table_needs_a_user_and_exactly_one_password_source() {
    let w = World::new();
    for (table, key) in [
        ("[credentials.fusion]\npassword_env = \"X\"\n", "credentials.fusion.username"),
        ("[credentials.gitlab]\nusername = \"oauth2\"\n", "credentials.gitlab"),
        ("[credentials.gitlab]\nusername = \"oauth2\"\npassword_env = \"X\"\npassword_file = \"f\"\n", "credentials.gitlab"),
    ] {
        w.write_config(&format!("{table}{DEFAULT_CONFIG}"));
        let run = w.gfbridge(&["check"]);
        assert_eq!(run.code, 2, "{table}: {run}");
        assert!(run.stderr.contains(key), "{table}: {run}");
    }
}

/// Without a `[credentials.*]` table, the account's own git credential helpers are
/// used as usual (here git's `store` helper, configured in the user's ~/.gitconfig).
#[test]
fn without_a_credentials_table_gits_own_credential_helpers_still_work() {
    let w = World::new();
    w.seed("main");
    let server = HttpGitlab::start(&w);
    w.write_config(&w.default_config().replace("\"gitlab.git\"", &format!("\"{}\"", server.url)));
    let home = w.path("home");
    std::fs::create_dir_all(&home).expect("home");
    std::fs::write(home.join(".gitconfig"), "[credential]\n\thelper = store\n").expect("gitconfig");
    let stored = server.url.replacen("http://", &format!("http://oauth2:{SECRET}@"), 1);
    let origin = stored.trim_end_matches("/gitlab.git");
    std::fs::write(home.join(".git-credentials"), format!("{origin}\n")).expect("credentials");
    let head = w.commit(Gitlab, "main", "authenticated by the user's helper");
    let run = run_gfbridge(
        w.gfbridge_command(&["sync", "--format", "json"])
            .env("HOME", &home)
            .env_remove("GIT_CONFIG_GLOBAL"),
    );
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(w.tip(Fusion, "main"), Some(head));
    assert!(!run.stdout.contains(SECRET) && !run.stderr.contains(SECRET), "{run}");
}
