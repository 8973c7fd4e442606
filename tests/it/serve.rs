//! `gfbridge serve` over real HTTP on 127.0.0.1 with real git remotes (docs/operations.md): webhooks,
//! the trigger endpoint, coalescing, metrics and shutdown.

use std::io::{BufRead, BufReader};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::harness::{
    await_condition, git, kill9, read_jsonl, repo_root, run_ok, Fusion, Gitlab, World,
};

pub(crate) const SECRET: &str = "s3cret-webhook-token";
pub(crate) const LIMIT: Duration = Duration::from_secs(60);

/// A running `gfbridge serve` and the lines it logged.
pub(crate) struct Service {
    child: Child,
    base: String,
    log: Arc<Mutex<Vec<String>>>,
    http: reqwest::blocking::Client,
}

/// The world's config with the project GitLab's webhooks name, and no poll during a test.
pub(crate) fn service_world() -> World {
    let world = World::new();
    let config = world.default_config().replace(
        "protected_from = \"config\"",
        "protected_from = \"config\"\ngitlab_project = \"acme/widgets\"\ninterval = \"1h\"",
    );
    world.write_config(&config);
    world
}

impl Service {
    pub(crate) fn start(world: &World) -> Service {
        Service::start_with_env(world, &[])
    }

    /// Starts the service with `env` set beside the webhook secret.
    pub(crate) fn start_with_env(world: &World, env: &[(&str, &str)]) -> Service {
        let mut cmd =
            world.gfbridge_command(&["--log-format", "json", "serve", "--listen", "127.0.0.1:0"]);
        cmd.envs(env.iter().copied());
        cmd.env("GFBRIDGE_WEBHOOK_SECRET", SECRET).stdout(Stdio::null()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("gfbridge serve starts");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let lines = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    if v["fields"]["message"] == "listening" {
                        let _ = tx.send(v["fields"]["addr"].as_str().unwrap_or("").to_string());
                    }
                }
                lines.lock().unwrap().push(line);
            }
        });
        let addr = match rx.recv_timeout(LIMIT) {
            Ok(addr) => addr,
            Err(_) => panic!("serve did not start: {:?}", log.lock().unwrap()),
        };
        gfbridge::tls::install_provider();
        let http = reqwest::blocking::Client::builder().timeout(LIMIT).build().expect("client");
        Service { child, base: format!("http://{addr}"), log, http }
    }

    fn post(&self, path: &str, headers: &[(&str, &str)], body: Vec<u8>) -> (u16, String) {
        let mut request = self.http.post(format!("{}{path}", self.base)).body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().expect("request answered");
        (response.status().as_u16(), response.text().unwrap_or_default())
    }

    /// Posts a GitLab push event with the secret and `extra` headers.
    fn webhook(&self, payload: &Value, extra: &[(&str, &str)]) -> (u16, String) {
        let mut headers = vec![("X-Gitlab-Token", SECRET), ("X-Gitlab-Event", "Push Hook")];
        headers.extend_from_slice(extra);
        self.post("/hooks/gitlab", &headers, payload.to_string().into_bytes())
    }

    pub(crate) fn get(&self, path: &str) -> (u16, String) {
        self.get_with(path, &[])
    }

    /// GETs `path` with `headers`.
    pub(crate) fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
        let mut request = self.http.get(format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().expect("answered");
        (response.status().as_u16(), response.text().unwrap_or_default())
    }

    /// Returns the service's address, `http://127.0.0.1:<port>`.
    pub(crate) fn base(&self) -> &str {
        &self.base
    }

    /// Returns the sum of the samples of `metric` whose labels start with `labels`.
    pub(crate) fn metric(&self, metric: &str, labels: &str) -> f64 {
        let (_, text) = self.get("/metrics");
        let prefix = format!("{metric}{{{labels}");
        text.lines()
            .filter(|l| {
                l.starts_with(&prefix)
                    || (labels.is_empty() && l.starts_with(&format!("{metric} ")))
            })
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }

    pub(crate) fn runs(&self) -> f64 {
        self.metric("gfbridge_runs_total", "workspace=\"widgets\"")
    }

    fn requests(&self) -> f64 {
        self.metric("gfbridge_sync_requests_total", "workspace=\"widgets\"")
    }

    /// Waits until `runs` runs have ended and nothing runs or waits.
    pub(crate) fn await_idle(&self, runs: f64) {
        await_condition("the service to go idle", LIMIT, || {
            self.runs() >= runs
                && self.metric("gfbridge_runs_in_progress", "") == 0.0
                && self.metric("gfbridge_runs_queued", "") == 0.0
        });
    }

    fn terminate(&mut self) -> ExitStatus {
        run_ok(std::process::Command::new("kill").arg("-TERM").arg(self.child.id().to_string()));
        self.child.wait().expect("serve exits")
    }

    /// Returns the first JSON log line whose field `field` is `value`.
    fn logged_line(&self, field: &str, value: &str) -> Value {
        let log = self.log.lock().unwrap();
        log.iter()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .find(|v| v["fields"][field] == value)
            .unwrap_or_else(|| panic!("no line with {field} = {value}: {log:?}"))
    }

    fn logged(&self, needle: &str) -> bool {
        self.log.lock().unwrap().iter().any(|l| l.contains(needle))
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            kill9(&mut self.child);
        }
    }
}

/// GitLab's documented push event, adapted to the world's project and `branch`.
fn push_event(branch: &str, before: &str, after: &str) -> Value {
    let path = repo_root().join("tests/it/fixtures/gitlab-push-hook-example.json");
    let mut event: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("example")).expect("json");
    event["ref"] = format!("refs/heads/{branch}").into();
    event["before"] = before.into();
    event["after"] = after.into();
    event["checkout_sha"] = after.into();
    event["project"]["path_with_namespace"] = "acme/widgets".into();
    event
}

const ZEROS: &str = "0000000000000000000000000000000000000000";

#[test]
fn push_webhook_with_the_secret_mirrors_the_branch() {
    let world = service_world();
    let base = world.seed("main");
    let service = Service::start(&world);
    service.await_idle(1.0);
    let new = world.commit(Gitlab, "main", "after the service started");
    let (status, _) = service.webhook(&push_event("main", &base, &new), &[]);
    assert_eq!(status, 202);
    await_condition("main on Git Fusion", LIMIT, || {
        world.tip(Fusion, "main").as_deref() == Some(&new)
    });

    let created = world.commit(Gitlab, "release/1.0", "a new release branch");
    let (status, _) = service.webhook(&push_event("release/1.0", ZEROS, &created), &[]);
    assert_eq!(status, 202);
    await_condition("release/1.0 on Git Fusion", LIMIT, || {
        world.tip(Fusion, "release/1.0").as_deref() == Some(&created)
    });
    service.await_idle(3.0);
    assert_eq!(service.get("/healthz").0, 200);
    assert_eq!(
        service.metric("gfbridge_pushes_total", "workspace=\"widgets\",remote=\"fusion\""),
        2.0
    );
    assert_eq!(
        service.metric(
            "gfbridge_fusion_confirmations_total",
            "workspace=\"widgets\",status=\"confirmed\""
        ),
        2.0
    );
    assert_eq!(
        service.metric("gfbridge_webhook_requests_total", "endpoint=\"gitlab\",status=\"202\""),
        2.0
    );
    assert!(
        service.metric("gfbridge_last_success_timestamp_seconds", "workspace=\"widgets\"") > 0.0
    );
    assert!(service.metric("gfbridge_run_duration_seconds_count", "workspace=\"widgets\"") >= 3.0);
}

#[test]
fn webhook_without_the_secret_is_refused_and_runs_nothing() {
    let world = service_world();
    let base = world.seed("main");
    let service = Service::start(&world);
    service.await_idle(1.0);
    let new = world.commit(Gitlab, "main", "not announced with the secret");
    let body = push_event("main", &base, &new).to_string().into_bytes();
    let missing = service.post("/hooks/gitlab", &[("X-Gitlab-Event", "Push Hook")], body.clone());
    let wrong = service.post(
        "/hooks/gitlab",
        &[("X-Gitlab-Token", "s3cret-webhook-tokeN"), ("X-Gitlab-Event", "Push Hook")],
        body,
    );
    assert_eq!((missing.0, wrong.0), (401, 401));
    assert_eq!(service.requests(), 1.0, "only the start-up run was requested");
    assert_eq!(world.tip(Fusion, "main").as_deref(), Some(base.as_str()));
    assert!(!service.logged(SECRET), "the secret is never logged");
    let (_, metrics) = service.get("/metrics");
    assert!(metrics.contains("gfbridge_"), "{metrics}");
    assert!(!metrics.contains(SECRET), "nor in the metrics");
}

#[test]
fn malformed_oversize_and_ignored_webhooks_queue_nothing() {
    let world = service_world();
    let base = world.seed("main");
    let service = Service::start(&world);
    service.await_idle(1.0);
    let token = [("X-Gitlab-Token", SECRET), ("X-Gitlab-Event", "Push Hook")];
    assert_eq!(service.post("/hooks/gitlab", &token, b"{\"object_kind\": ".to_vec()).0, 400);
    let oversize = vec![b' '; 25 * 1024 * 1024 + 1];
    assert_eq!(service.post("/hooks/gitlab", &token, oversize).0, 413, "over GitLab's own limit");

    let push = push_event("main", &base, &base);
    let mut tag = push.clone();
    tag["object_kind"] = "tag_push".into();
    tag["ref"] = "refs/tags/v1".into();
    let tag_status = service.webhook(&tag, &[("X-Gitlab-Event", "Tag Push Hook")]);
    let mut other_project = push.clone();
    other_project["project"]["path_with_namespace"] = "acme/gadgets".into();
    other_project["project"]["id"] = 99.into();
    other_project["project_id"] = 99.into();
    let mut by_bridge = push.clone();
    by_bridge["user_username"] = "gfbridge".into();
    let unmirrored = push_event("feature/x", &base, &base);
    for (what, event) in [
        ("other project", other_project),
        ("bridge account", by_bridge),
        ("unmirrored", unmirrored),
    ] {
        let (status, body) = service.webhook(&event, &[]);
        assert_eq!(status, 200, "{what}: {body}");
        assert!(body.starts_with("ignored"), "{what}: {body}");
    }
    assert_eq!(tag_status.0, 200);
    assert_eq!(service.requests(), 1.0, "only the start-up run was requested");
}

#[test]
fn webhook_matches_the_project_by_numeric_id() {
    let world = service_world();
    let config = std::fs::read_to_string(world.path("gfbridge.toml")).unwrap();
    world.write_config(
        &config.replace("gitlab_project = \"acme/widgets\"", "gitlab_project = \"15\""),
    );
    let base = world.seed("main");
    let service = Service::start(&world);
    service.await_idle(1.0);
    let mut event = push_event("main", &base, &base);
    event["project"]["path_with_namespace"] = "renamed/elsewhere".into();
    assert_eq!(service.webhook(&event, &[]).0, 202);
    assert_eq!(service.requests(), 2.0);
}

#[test]
fn repeated_delivery_with_the_same_idempotency_key_runs_once() {
    let world = service_world();
    let base = world.seed("main");
    let service = Service::start(&world);
    service.await_idle(1.0);
    let event = push_event("main", &base, &base);
    let key = [("Idempotency-Key", "6a9d6b4e-7c55-4f3c-9f2e-1f1d2a3b4c5d")];
    assert_eq!(service.webhook(&event, &key).0, 202);
    service.await_idle(2.0);
    let (status, body) = service.webhook(&event, &key);
    assert_eq!((status, body.as_str()), (200, "ignored: repeated delivery\n"));
    assert_eq!(service.requests(), 2.0);
    // GitLab reuses the key only on a manual "Resend": the operator learns why nothing ran.
    await_condition("the repeated delivery to be logged", LIMIT, || {
        service.logged("repeated delivery acknowledged without a run")
    });
}

#[test]
fn trigger_endpoint_checks_the_secret_first_then_the_workspace() {
    let world = service_world();
    let base = world.seed("main");
    let service = Service::start(&world);
    service.await_idle(1.0);
    assert_eq!(service.post("/hooks/trigger/nosuch", &[], Vec::new()).0, 401);
    assert_eq!(
        service.post("/hooks/trigger/widgets", &[("X-Gfbridge-Token", "no")], Vec::new()).0,
        401
    );
    // The secret comes first even for a path that cannot be decoded.
    assert_eq!(service.post("/hooks/trigger/%ff", &[], Vec::new()).0, 401);
    let token = [("X-Gfbridge-Token", SECRET)];
    assert_eq!(service.post("/hooks/trigger/nosuch", &token, Vec::new()).0, 404);
    assert_eq!(service.post("/hooks/trigger/%ff", &token, Vec::new()).0, 404);
    let twice = [("X-Gfbridge-Token", SECRET), ("X-Gfbridge-Token", SECRET)];
    assert_eq!(service.post("/hooks/trigger/widgets", &twice, Vec::new()).0, 401);
    let new = world.commit(Fusion, "main", "submitted in Perforce");
    assert_eq!(service.post("/hooks/trigger/widgets", &token, b"ignored".to_vec()).0, 202);
    await_condition("main on GitLab", LIMIT, || world.tip(Gitlab, "main").as_deref() == Some(&new));
    assert_ne!(base, new);
}

/// Installs a git wrapper that holds every `ls-remote` while `<world>/gate` exists, and notes
/// in `<world>/held` that it did.
fn gate_runs(world: &World) {
    std::fs::write(world.path("gate"), "").unwrap();
    world.wrap_git(
        "if [ \"$1\" = ls-remote ] && [ -e \"$WORLD/gate\" ]; then\n  echo held >> \"$WORLD/held\"\n  while [ -e \"$WORLD/gate\" ]; do sleep 0.02; done\nfi",
    );
}

#[test]
fn burst_of_webhooks_during_a_run_gives_exactly_one_follow_up_run() {
    let world = service_world();
    let base = world.seed("main");
    gate_runs(&world);
    let service = Service::start(&world);
    await_condition("the start-up run to be held", LIMIT, || world.path("held").exists());
    let new = world.commit(Gitlab, "main", "pushed during the run");
    let event = push_event("main", &base, &new);
    for _ in 0..20 {
        assert_eq!(service.webhook(&event, &[]).0, 202);
    }
    assert_eq!(service.metric("gfbridge_runs_in_progress", ""), 1.0);
    assert_eq!(service.metric("gfbridge_runs_queued", ""), 1.0);
    std::fs::remove_file(world.path("gate")).unwrap();
    service.await_idle(2.0);
    assert_eq!(service.runs(), 2.0, "one start-up run and one follow-up");
    assert_eq!(world.tip(Fusion, "main").as_deref(), Some(new.as_str()));
}

#[test]
fn sigterm_finishes_the_run_in_progress_and_exits_0() {
    let world = service_world();
    world.seed("main");
    let new = world.commit(Gitlab, "main", "waiting for the start-up run");
    gate_runs(&world);
    let mut service = Service::start(&world);
    await_condition("the start-up run to be held", LIMIT, || world.path("held").exists());
    run_ok(std::process::Command::new("kill").arg("-TERM").arg(service.child.id().to_string()));
    await_condition("the shutdown to begin", LIMIT, || {
        service.logged("finishing the runs in progress")
    });
    assert_ne!(world.tip(Fusion, "main").as_deref(), Some(new.as_str()), "the run is held");
    std::fs::remove_file(world.path("gate")).unwrap();
    let status = service.child.wait().expect("serve exits");
    assert_eq!(status.code(), Some(0), "{:?}", service.log.lock().unwrap());
    assert_eq!(world.tip(Fusion, "main").as_deref(), Some(new.as_str()), "the run completed");
    assert!(service.logged("\"stopped\""));
}

#[test]
fn serve_without_the_webhook_secret_exits_2_naming_the_variable() {
    let world = service_world();
    let run = world.gfbridge(&["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("GFBRIDGE_WEBHOOK_SECRET"), "{run}");
}

#[test]
fn idle_service_stops_on_sigterm_with_exit_0() {
    let world = service_world();
    world.seed("main");
    let mut service = Service::start(&world);
    service.await_idle(1.0);
    assert_eq!(service.terminate().code(), Some(0));
}

#[test]
fn a_blocked_branch_is_logged_with_its_reasons_and_counted_as_needing_attention() {
    let world = service_world();
    world.seed("main");
    world.remove_p4_user("unknown_git");
    world.set_author("Nobody", "nobody@nowhere.example");
    world.commit(Gitlab, "main", "by an author Git Fusion cannot map");
    let service = Service::start(&world);
    service.await_idle(1.0);
    let line = service.logged_line("branch", "main");
    assert_eq!(line["fields"]["action"], "blocked", "{line}");
    let message = line["fields"]["message"].as_str().unwrap_or("");
    assert!(message.contains("unmapped_author") && message.contains("nobody@nowhere"), "{line}");
    assert_eq!(service.metric("gfbridge_branches_needing_attention", "workspace=\"widgets\""), 1.0);
    let (_, text) = service.get("/metrics");
    let version = format!("gfbridge_build_info{{version=\"{}\"}} 1", env!("CARGO_PKG_VERSION"));
    assert!(text.contains(&version), "{text}");
}

#[test]
fn a_repeated_gitlab_token_header_is_refused_not_read_first_come() {
    let world = service_world();
    let base = world.seed("main");
    let service = Service::start(&world);
    service.await_idle(1.0);
    let new = world.commit(Gitlab, "main", "announced twice");
    let event = push_event("main", &base, &new).to_string().into_bytes();
    let headers = [
        ("X-Gitlab-Token", SECRET),
        ("X-Gitlab-Token", "appended by a proxy"),
        ("X-Gitlab-Event", "Push Hook"),
    ];
    assert_eq!(service.post("/hooks/gitlab", &headers, event).0, 401);
    assert_eq!(service.requests(), 1.0, "only the start-up run was requested");
    assert_eq!(service.get("/healthz"), (200, "ok\n".to_string()));
}

/// GitLab sends push events up to its own 25 MiB limit (20 commits, each with its full file
/// lists): a 2 MiB event is a normal large push, and it is acted on.
#[test]
fn a_large_push_event_within_gitlabs_limit_is_accepted() {
    let world = service_world();
    let base = world.seed("main");
    let service = Service::start(&world);
    service.await_idle(1.0);
    let head = world.commit(Gitlab, "main", "large push");
    let mut event = push_event("main", &base, &head);
    let files: Vec<String> =
        (0..60_000).map(|i| format!("assets/textures/level-{i:06}.png")).collect();
    event["commits"][0]["added"] = files.into();
    let body = event.to_string().into_bytes();
    assert!(body.len() > 2 * 1024 * 1024, "{} bytes", body.len());
    let (status, text) = service.post(
        "/hooks/gitlab",
        &[("X-Gitlab-Token", SECRET), ("X-Gitlab-Event", "Push Hook")],
        body,
    );
    assert_eq!(status, 202, "{text}");
    service.await_idle(2.0);
    assert_eq!(world.tip(Fusion, "main").as_deref(), Some(head.as_str()));
}

#[test]
fn a_tag_conflict_is_logged_like_a_branch_and_counted_as_needing_attention() {
    let world = service_world();
    let config = std::fs::read_to_string(world.path("gfbridge.toml")).expect("config");
    world.write_config(&format!("{config}tags = [\"v*\"]\n"));
    let tip = world.seed("main");
    let other = world.commit(Gitlab, "main", "tagged on GitLab only");
    world.push_across(Gitlab, Fusion, "main");
    for (side, target) in [(Gitlab, &other), (Fusion, &tip)] {
        run_ok(git().arg("--git-dir").arg(world.remote(side)).args([
            "update-ref",
            "refs/tags/v1",
            target,
        ]));
    }
    let service = Service::start(&world);
    service.await_idle(1.0);
    let line = service.logged_line("tag", "v1");
    assert_eq!(line["fields"]["action"], "tag_conflict", "{line}");
    assert_eq!(service.metric("gfbridge_branches_needing_attention", "workspace=\"widgets\""), 1.0);
}

#[test]
fn a_workspace_webhooks_cannot_reach_is_warned_about_at_start() {
    let world = World::new();
    let config = world
        .default_config()
        .replace("protected_from = \"config\"", "protected_from = \"config\"\ninterval = \"1h\"");
    world.write_config(&config);
    world.seed("main");
    let service = Service::start(&world);
    service.await_idle(1.0);
    assert!(service.logged("no gitlab_project"), "{:?}", service.log.lock().unwrap());
    let reachable = service_world();
    reachable.seed("main");
    let quiet = Service::start(&reachable);
    quiet.await_idle(1.0);
    assert!(!quiet.logged("no gitlab_project"), "a workspace with a project is not warned about");
}

#[test]
fn a_workspace_retired_by_cutover_is_left_alone_by_the_service() {
    let world = service_world();
    let config = std::fs::read_to_string(world.path("gfbridge.toml")).expect("config");
    world.write_config(&format!("{config}{}", crate::report::ACCEPT_ALL_SKIPS));
    let base = world.seed("main");
    world.seed("release/1.0");
    assert_eq!(world.sync().code, 0);
    let cutover = world.gfbridge(&["cutover", "-w", "widgets", "--execute", "-o", "."]);
    assert_eq!(cutover.code, 0, "{cutover}");
    let service = Service::start(&world);
    let new = world.commit(Gitlab, "main", "after the cutover");
    let (status, _) = service.webhook(&push_event("main", &base, &new), &[]);
    assert_eq!(status, 202);
    // Skipped twice: the start-up run, then the webhook's.
    let skips =
        || service.log.lock().unwrap().iter().filter(|l| l.contains("retired by cutover")).count();
    await_condition("both runs skipped", LIMIT, || skips() >= 2);
    assert_eq!(world.tip(Fusion, "main").as_deref(), Some(base.as_str()), "nothing mirrored");
}

/// Posts GitLab's push event for `main` (from `before` to `after`) and waits until Git Fusion's
/// `main` is `expected`.
fn webhook_then_await(service: &Service, world: &World, before: &str, after: &str, expected: &str) {
    assert_eq!(service.webhook(&push_event("main", before, after), &[]).0, 202);
    await_condition("main on Git Fusion", LIMIT, || {
        world.tip(Fusion, "main").as_deref() == Some(expected)
    });
}

/// Returns how many times the Git Fusion stand-in's `p4` was asked for its users: once per
/// read of Git Fusion's facts.
fn facts_reads(world: &World) -> usize {
    read_jsonl(&world.remote(Fusion).join("fusion/p4-calls.log"))
        .iter()
        .filter(|call| call["args"].as_array().is_some_and(|a| a.iter().any(|x| x == "users")))
        .count()
}

#[test]
fn webhook_runs_reuse_git_fusions_facts_until_perforce_triggers() {
    let world = service_world();
    let base = world.seed("main");
    let service = Service::start(&world);
    service.await_idle(1.0);
    let first = world.commit(Gitlab, "main", "read the facts");
    webhook_then_await(&service, &world, &base, &first, &first);
    service.await_idle(2.0);
    let read = facts_reads(&world);
    assert!(read >= 1, "the first push to Git Fusion reads its facts");

    let second = world.commit(Gitlab, "main", "facts kept");
    webhook_then_await(&service, &world, &first, &second, &second);
    service.await_idle(3.0);
    assert_eq!(facts_reads(&world), read, "the next webhook's run reuses them");

    // A submit in Perforce (its trigger) may change Git Fusion's config or usermap.
    let token = [("X-Gfbridge-Token", SECRET)];
    assert_eq!(service.post("/hooks/trigger/widgets", &token, Vec::new()).0, 202);
    service.await_idle(4.0);
    let third = world.commit(Gitlab, "main", "facts read again");
    webhook_then_await(&service, &world, &second, &third, &third);
    service.await_idle(5.0);
    assert_eq!(facts_reads(&world), read + 1, "after the trigger they are read again");
}

#[test]
fn a_webhook_naming_a_tip_the_branch_has_left_mirrors_the_branchs_real_tip() {
    // The event's `after` only says what to fetch early; the plan uses what GitLab lists.
    let world = service_world();
    let base = world.seed("main");
    let service = Service::start(&world);
    service.await_idle(1.0);
    let announced = world.commit(Gitlab, "main", "announced");
    let real = world.commit(Gitlab, "main", "pushed right after");
    webhook_then_await(&service, &world, &base, &announced, &real);
    service.await_idle(2.0);
    // An id GitLab does not have at all (a forged or garbled event) changes nothing either.
    let newer = world.commit(Gitlab, "main", "after a garbled event");
    let garbled = "0123456789abcdef0123456789abcdef01234567";
    webhook_then_await(&service, &world, &real, garbled, &newer);
}
