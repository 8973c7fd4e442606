//! `protected_from = "gitlab"`: the mirrored set is the allowlist ∩ GitLab's protected-branch
//! rules, read from an in-test GitLab API (wiremock) with GitLab's documented responses. If
//! the API cannot be read, the run fails with exit 1 and writes nothing.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::*;

const TOKEN: &str = "glpat-test-secret-1234";
const ENDPOINT: &str = "/api/v4/projects/acme%2Fwidgets/protected_branches";

/// GitLab's API on 127.0.0.1, served from a runtime that outlives the blocking test code.
pub(crate) struct FakeGitlab {
    runtime: tokio::runtime::Runtime,
    pub(crate) server: MockServer,
}

impl FakeGitlab {
    pub(crate) fn start() -> FakeGitlab {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let server = runtime.block_on(MockServer::start());
        FakeGitlab { runtime, server }
    }

    pub(crate) fn mount(&self, mock: Mock) {
        self.runtime.block_on(mock.mount(&self.server));
    }

    /// Serves `rules` (name, allow_force_push) on one page, for the right token only.
    fn rules(&self, rules: &[(&str, bool)]) {
        let body: Vec<_> = rules
            .iter()
            .map(|(name, force)| json!({"id": 1, "name": name, "push_access_levels": [{"access_level": 40, "access_level_description": "Maintainers"}], "merge_access_levels": [], "allow_force_push": force, "code_owner_approval_required": false}))
            .collect();
        self.mount(
            Mock::given(method("GET"))
                .and(path(ENDPOINT))
                .and(header("PRIVATE-TOKEN", TOKEN))
                .respond_with(ResponseTemplate::new(200).set_body_json(body)),
        );
    }
}

/// Returns one of GitLab's documented answers (`fixtures/gitlab/`, see its SOURCES.md).
pub(crate) fn fixture(name: &str) -> serde_json::Value {
    let path = repo_root().join("tests/it/fixtures/gitlab").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("json")
}

fn world(gitlab: &FakeGitlab, allowlist: &str) -> World {
    let w = World::new();
    let config = format!(
        "[gitlab]\nurl = \"{}\"\ntoken_env = \"GFB_TEST_TOKEN\"\ntimeout = \"1s\"\n{}",
        gitlab.server.uri(),
        w.default_config()
            .replace(
                "protected_from = \"config\"",
                "protected_from = \"gitlab\"\ngitlab_project = \"acme/widgets\""
            )
            .replace("branches = [\"main\", \"release/*\"]", &format!("branches = {allowlist}"))
    );
    w.write_config(&config);
    w
}

/// Runs `check --format json` with the token in the environment.
fn check_run(w: &World) -> Run {
    run_gfbridge(w.gfbridge_command(&["check", "--format", "json"]).env("GFB_TEST_TOKEN", TOKEN))
}

fn sync(w: &World) -> Run {
    run_gfbridge(w.gfbridge_command(&["sync", "--format", "json"]).env("GFB_TEST_TOKEN", TOKEN))
}

#[test]
fn only_allowlisted_branches_that_gitlab_protects_are_mirrored() {
    let api = FakeGitlab::start();
    api.rules(&[("main", false), ("release/*", false), ("feature", false)]);
    let w = world(&api, r#"["main", "release/*", "hotfix"]"#);
    for branch in ["main", "release/2.0/hotfix", "hotfix", "feature"] {
        w.commit(Gitlab, branch, branch);
    }
    let run = sync(&w);
    assert_eq!(run.code, 0, "{run}");
    assert!(w.tip(Fusion, "main").is_some());
    assert!(w.tip(Fusion, "release/2.0/hotfix").is_some(), "`release/*` crosses `/`, as in GitLab");
    assert_eq!(w.tip(Fusion, "hotfix"), None, "allowlisted but not protected");
    assert_eq!(w.tip(Fusion, "feature"), None, "protected but not allowlisted");
}

#[test]
fn every_page_of_rules_is_read() {
    for by_link in [false, true] {
        let api = FakeGitlab::start();
        api.mount(
            Mock::given(method("GET"))
                .and(path(ENDPOINT))
                .and(query_param("page", "2"))
                .respond_with(
                    ResponseTemplate::new(200)
                        .set_body_json(json!([{"name": "release/*", "allow_force_push": false}])),
                ),
        );
        let first = ResponseTemplate::new(200)
            .set_body_json(json!([{"name": "main", "allow_force_push": false}]));
        let first = if by_link {
            let next = format!("{}{ENDPOINT}?page=2&per_page=100", api.server.uri());
            first.insert_header(
                "link",
                format!("<{next}>; rel=\"next\", <{next}>; rel=\"last\"").as_str(),
            )
        } else {
            first.insert_header("x-next-page", "2")
        };
        api.mount(Mock::given(method("GET")).and(path(ENDPOINT)).respond_with(first));
        let w = world(&api, r#"["main", "release/*"]"#);
        w.commit(Gitlab, "release/1.0", "r");
        let run = sync(&w);
        assert_eq!(run.code, 0, "{run}");
        assert!(w.tip(Fusion, "release/1.0").is_some(), "link {by_link}: page 2 counts: {run}");
    }
}

#[test]
fn api_errors_fail_the_run_with_exit_1_and_write_nothing() {
    for (status, hint) in
        [(401, "invalid"), (403, "Maintainer"), (404, "no such project"), (500, "could not answer")]
    {
        let api = FakeGitlab::start();
        api.mount(Mock::given(method("GET")).and(path(ENDPOINT)).respond_with(
            ResponseTemplate::new(status).set_body_json(json!({"message": format!("{status}")})),
        ));
        let w = world(&api, r#"["main"]"#);
        w.commit(Gitlab, "main", "x");
        let run = sync(&w);
        assert_eq!(run.code, 1, "{status}: {run}");
        assert_eq!(w.tip(Fusion, "main"), None, "{status}: nothing written");
        let output = format!("{}{}", run.stdout, run.stderr);
        assert!(
            output.contains(ENDPOINT.trim_start_matches("/api/v4"))
                && output.contains(&status.to_string()),
            "{status}: {run}"
        );
        assert!(output.contains(hint), "{status}: {run}");
        assert!(!output.contains(TOKEN), "{status}: the token never appears");
    }
}

#[test]
fn rate_limits_are_waited_out_as_retry_after_says() {
    for retry_after in [Some("1"), None] {
        let api = FakeGitlab::start();
        // GitLab's own form (lib/gitlab/rack_attack.rb): a text body and RateLimit-* headers.
        let mut limited = ResponseTemplate::new(429)
            .set_body_string("Retry later\n")
            .insert_header("Content-Type", "text/plain")
            .insert_header("RateLimit-Name", "throttle_authenticated_api")
            .insert_header("RateLimit-Limit", "600")
            .insert_header("RateLimit-Observed", "601")
            .insert_header("RateLimit-Remaining", "0")
            .insert_header("RateLimit-Reset", "1700000060");
        if let Some(seconds) = retry_after {
            limited = limited.insert_header("Retry-After", seconds);
        }
        api.mount(
            Mock::given(method("GET")).and(path(ENDPOINT)).respond_with(limited).up_to_n_times(1),
        );
        api.rules(&[("main", false)]);
        let w = world(&api, r#"["main"]"#);
        w.commit(Gitlab, "main", "x");
        let start = Instant::now();
        let run = sync(&w);
        assert_eq!(run.code, 0, "{retry_after:?}: {run}");
        assert!(start.elapsed() >= Duration::from_secs(1), "waited before retrying");
        assert!(w.tip(Fusion, "main").is_some());
    }
}

#[test]
fn a_gitlab_that_does_not_answer_in_time_fails_the_run() {
    let api = FakeGitlab::start();
    api.mount(Mock::given(method("GET")).and(path(ENDPOINT)).respond_with(
        ResponseTemplate::new(200).set_body_json(json!([])).set_delay(Duration::from_secs(5)),
    ));
    let w = world(&api, r#"["main"]"#);
    w.commit(Gitlab, "main", "x");
    let run = sync(&w);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("timed out"), "{run}");
    assert_eq!(w.tip(Fusion, "main"), None);
}

#[test]
fn a_missing_token_is_named_by_its_variable() {
    let api = FakeGitlab::start();
    let w = world(&api, r#"["main"]"#);
    w.commit(Gitlab, "main", "x");
    let run = w.gfbridge(&["sync"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("GFB_TEST_TOKEN"), "{run}");
}

#[test]
fn check_reports_the_api_unprotected_entries_and_force_push_rules() {
    let api = FakeGitlab::start();
    api.rules(&[("main", true), ("release/*", false)]);
    let w = world(&api, r#"["main", "release/*", "hotfix"]"#);
    w.seed("main");
    let run = check_run(&w);
    let find = |id: &str| run.check(id);
    assert_eq!(find("gitlab_api")["status"], "pass", "{run}");
    let protected = find("protected_branches");
    assert_eq!(protected["status"], "warn");
    let message = protected["message"].as_str().expect("message");
    assert!(
        message.contains("release/*, hotfix")
            || (message.contains("release/*") && message.contains("hotfix")),
        "{message}"
    );
    assert!(message.contains("force push") && message.contains("main"), "{message}");
    let bad = run_gfbridge(
        w.gfbridge_command(&["check", "--format", "json"]).env("GFB_TEST_TOKEN", "wrong"),
    );
    assert_eq!(bad.code, 3, "{bad}");
    let checks = bad.json()["workspaces"][0]["checks"].as_array().expect("checks").clone();
    assert!(checks.iter().any(|c| c["id"] == "gitlab_api" && c["status"] == "fail"), "{bad}");
}

/// GitLab builds `Link` on its configured external host, which may not be the address the
/// bridge reaches it at: the next page is asked of the configured `[gitlab] url`, and the
/// token never goes to the host the link names.
#[test]
fn a_link_naming_another_host_is_followed_on_the_configured_one() {
    let api = FakeGitlab::start();
    api.mount(
        Mock::given(method("GET"))
            .and(path(ENDPOINT))
            .and(query_param("page", "2"))
            .and(header("PRIVATE-TOKEN", TOKEN))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!([{"name": "release/*", "allow_force_push": false}])),
            ),
    );
    let elsewhere = format!("https://gitlab.example.invalid{ENDPOINT}?page=2&per_page=100");
    api.mount(
        Mock::given(method("GET")).and(path(ENDPOINT)).respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!([{"name": "main", "allow_force_push": false}]))
                .insert_header("link", format!("<{elsewhere}>; rel=\"next\"").as_str()),
        ),
    );
    let w = world(&api, r#"["main", "release/*"]"#);
    w.commit(Gitlab, "release/1.0", "r");
    let run = sync(&w);
    assert_eq!(run.code, 0, "{run}");
    assert!(w.tip(Fusion, "release/1.0").is_some(), "page 2 was read from the configured host");
}

/// A redirect to another host (GitLab moved, a proxy) is not followed with the token.
#[test]
fn a_redirect_to_another_host_is_refused_and_the_token_stays_home() {
    let api = FakeGitlab::start();
    let other = FakeGitlab::start();
    other.rules(&[("main", false)]);
    let moved = format!("{}{ENDPOINT}", other.server.uri().replace("127.0.0.1", "localhost"));
    api.mount(
        Mock::given(method("GET"))
            .and(path(ENDPOINT))
            .respond_with(ResponseTemplate::new(301).insert_header("location", moved.as_str())),
    );
    let w = world(&api, r#"["main"]"#);
    w.commit(Gitlab, "main", "m");
    let run = sync(&w);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("redirected to another host (localhost)"), "{run}");
    let received = other.runtime.block_on(other.server.received_requests()).unwrap_or_default();
    assert!(received.is_empty(), "the other host got {} request(s)", received.len());
}

/// The bridge's account may not push to main (its rule allows "No one", say): a change from
/// Git Fusion is blocked before any push, and `check` names the branch.
#[test]
fn a_branch_gitlab_would_not_let_the_bridge_push_is_blocked_and_checked() {
    let api = FakeGitlab::start();
    api.rules(&[("main", false)]);
    // GitLab's branches API answers for the token's user: "No one" may push to main.
    api.mount(
        Mock::given(method("GET"))
            .and(path("/api/v4/projects/acme%2Fwidgets/repository/branches/main"))
            .and(header("PRIVATE-TOKEN", TOKEN))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"name": "main", "can_push": false, "protected": true})),
            ),
    );
    let w = world(&api, r#"["main"]"#);
    w.seed("main");
    let gitlab_before = w.tip(Gitlab, "main");
    w.commit(Fusion, "main", "submitted in Perforce");
    let run = sync(&w);
    assert_eq!(run.code, 3, "{run}");
    let branch = run.branch("main");
    assert_eq!(branch["action"], "blocked", "{run}");
    assert_eq!(branch["reasons"][0]["code"], "gitlab_push_denied");
    assert!(branch["reasons"][0]["commit"].is_null());
    assert_eq!(w.tip(Gitlab, "main"), gitlab_before, "nothing pushed to GitLab");
    let access = check_run(&w).check("gitlab_push_access");
    assert_eq!(access["status"], "fail", "{access}");
    assert!(access["message"].as_str().unwrap().contains("main"), "{access}");
}

#[test]
fn a_rule_requiring_code_owner_approval_warns_in_check() {
    let api = FakeGitlab::start();
    // GitLab Premium's shape of a rule (doc/api/protected_branches.md), owner approval on.
    let body = json!([{
        "id": 101, "name": "main",
        "push_access_levels": [{"id": 1001, "access_level": 40, "access_level_description": "Maintainers"}],
        "merge_access_levels": [{"id": 2001, "access_level": 40, "access_level_description": "Maintainers"}],
        "allow_force_push": false, "code_owner_approval_required": true
    }]);
    api.mount(
        Mock::given(method("GET"))
            .and(path(ENDPOINT))
            .and(header("PRIVATE-TOKEN", TOKEN))
            .respond_with(ResponseTemplate::new(200).set_body_json(body)),
    );
    let w = world(&api, r#"["main", "release/*"]"#);
    w.seed("main");
    let access = check_run(&w).check("gitlab_push_access");
    assert_eq!(access["status"], "warn", "{access}");
    assert!(access["message"].as_str().unwrap().contains("code-owner"), "{access}");
}

/// GitLab creates the default branch's protection only after the first push, so an empty
/// project lists no rules: branches the allowlist names exactly are mirrored as if protected
/// (wildcards are not), and `check` says to protect them.
#[test]
fn an_empty_gitlab_project_is_filled_with_the_branches_the_allowlist_names_exactly() {
    let api = FakeGitlab::start();
    api.rules(&[]);
    let w = world(&api, r#"["main", "release/*"]"#);
    let main = w.commit(Fusion, "main", "history from Perforce");
    w.commit(Fusion, "release/1.0", "a release branch");
    let run = sync(&w);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(w.tip(Gitlab, "main"), Some(main), "named exactly: mirrored into the empty project");
    assert_eq!(w.tip(Gitlab, "release/1.0"), None, "a wildcard does not stand for protection");
    // Once GitLab has branches, its rules decide again; before that, check warns.
    let api2 = FakeGitlab::start();
    api2.rules(&[]);
    let empty = world(&api2, r#"["main", "release/*"]"#);
    empty.commit(Fusion, "main", "history");
    let protected = check_run(&empty).check("protected_branches");
    assert_eq!(protected["status"], "warn", "{protected}");
    assert!(protected["message"].as_str().unwrap().contains("no branches yet"), "{protected}");
}

/// GitLab's own push mirror to the Git Fusion repo (URL masked as GitLab lists it) fails
/// check `gitlab_mirrors`; a 404 on the pull-mirror endpoint (GitLab Free) counts as none.
#[test]
fn gitlabs_own_mirror_to_the_git_fusion_repo_fails_check() {
    let api = FakeGitlab::start();
    api.rules(&[("main", false)]);
    // GitLab's documented remote_mirrors answer, pointed at a given URL.
    let mirrors = |url: &str| {
        let mut list = fixture("remote-mirrors-list.json");
        list[0]["url"] = url.into();
        list
    };
    let mount_mirrors = |api: &FakeGitlab, url: &str| {
        api.mount(
            Mock::given(method("GET"))
                .and(path("/api/v4/projects/acme%2Fwidgets/remote_mirrors"))
                .and(header("PRIVATE-TOKEN", TOKEN))
                .respond_with(ResponseTemplate::new(200).set_body_json(mirrors(url))),
        );
    };
    mount_mirrors(&api, "https://*****:*****@GitFusion.example.com/acme/widgets.git");
    let w = world(&api, r#"["main"]"#);
    let config = std::fs::read_to_string(w.path("gfbridge.toml")).expect("config");
    w.write_config(&config.replace("\"fusion.git\"", "\"git@gitfusion.example.com:acme/widgets\""));
    let mirrors_check = |w: &World| check_run(w).check("gitlab_mirrors");
    let found = mirrors_check(&w);
    assert_eq!(found["status"], "fail", "{found}");
    assert!(found["message"].as_str().unwrap().contains("push mirror"), "{found}");
    // A mirror elsewhere is fine.
    let api2 = FakeGitlab::start();
    api2.rules(&[("main", false)]);
    mount_mirrors(&api2, "https://*****:*****@backup.example.com/acme/widgets.git");
    let w2 = world(&api2, r#"["main"]"#);
    let config = std::fs::read_to_string(w2.path("gfbridge.toml")).expect("config");
    w2.write_config(
        &config.replace("\"fusion.git\"", "\"git@gitfusion.example.com:acme/widgets\""),
    );
    let fine = mirrors_check(&w2);
    assert_eq!(fine["status"], "pass", "{fine}");
    // A pull mirror from Git Fusion (GitLab Premium; doc/api/project_pull_mirroring.md shape).
    api2.mount(
        Mock::given(method("GET"))
            .and(path("/api/v4/projects/acme%2Fwidgets/mirror/pull"))
            .and(header("PRIVATE-TOKEN", TOKEN))
            .respond_with(ResponseTemplate::new(200).set_body_json({
                let mut pull = fixture("pull-mirror.json");
                pull["url"] = "https://*****:*****@gitfusion.example.com/acme/widgets.git".into();
                pull
            })),
    );
    let pulled = mirrors_check(&w2);
    assert_eq!(pulled["status"], "fail", "{pulled}");
    assert!(pulled["message"].as_str().unwrap().contains("pull mirror"), "{pulled}");
}

/// A moved project answers 301 to `/projects/<id>` on the same host (GitLab MR !128642): the
/// redirect is followed with the token, and the rules are read there.
#[test]
fn a_moved_project_is_followed_on_the_same_host() {
    let api = FakeGitlab::start();
    let moved = format!("{}/api/v4/projects/15/protected_branches?per_page=100", api.server.uri());
    api.mount(
        Mock::given(method("GET"))
            .and(path(ENDPOINT))
            .respond_with(ResponseTemplate::new(301).insert_header("location", moved.as_str())),
    );
    api.mount(
        Mock::given(method("GET"))
            .and(path("/api/v4/projects/15/protected_branches"))
            .and(header("PRIVATE-TOKEN", TOKEN))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!([{"name": "main", "allow_force_push": false}])),
            ),
    );
    let w = world(&api, r#"["main"]"#);
    w.commit(Gitlab, "main", "m");
    let run = sync(&w);
    assert_eq!(run.code, 0, "{run}");
    assert!(w.tip(Fusion, "main").is_some(), "the rules came from the moved project's address");
}

/// GitLab's documented answers for Free and Premium (group-level rules, `user_id`,
/// `inherited`) are read as they come: each rule, the `release/*` wildcard included, selects
/// exactly the branches it names.
#[test]
fn gitlabs_documented_rule_lists_free_and_premium_are_read() {
    for name in ["protected-branches-list.json", "protected-branches-list-premium.json"] {
        let api = FakeGitlab::start();
        api.mount(
            Mock::given(method("GET"))
                .and(path(ENDPOINT))
                .and(header("PRIVATE-TOKEN", TOKEN))
                .respond_with(ResponseTemplate::new(200).set_body_json(fixture(name))),
        );
        let w = world(&api, r#"["main", "release/*", "hotfix"]"#);
        for branch in ["main", "release/1.0", "hotfix"] {
            w.commit(Gitlab, branch, branch);
        }
        let run = sync(&w);
        assert_eq!(run.code, 0, "{name}: {run}");
        let rules: Vec<String> = fixture(name)
            .as_array()
            .expect("a list")
            .iter()
            .map(|r| r["name"].as_str().expect("name").to_string())
            .collect();
        assert!(w.tip(Fusion, "main").is_some(), "{name}");
        let wildcard = rules.iter().any(|r| r == "release/*");
        assert_eq!(w.tip(Fusion, "release/1.0").is_some(), wildcard, "{name}: {rules:?}");
        assert_eq!(w.tip(Fusion, "hotfix"), None, "{name}: no rule protects it");
    }
}

/// Mounts GitLab's answers to the two mirror lists: `push` for `remote_mirrors`, `pull` for
/// `mirror/pull`, each a status and a body.
fn mount_mirror_lists(
    api: &FakeGitlab,
    push: (u16, serde_json::Value),
    pull: (u16, serde_json::Value),
) {
    for (endpoint, (status, body)) in [("remote_mirrors", push), ("mirror/pull", pull)] {
        api.mount(
            Mock::given(method("GET"))
                .and(path(format!("/api/v4/projects/acme%2Fwidgets/{endpoint}")))
                .and(header("PRIVATE-TOKEN", TOKEN))
                .respond_with(ResponseTemplate::new(status).set_body_json(body)),
        );
    }
}

/// GitLab (Premium) answers 400 "The project is not mirrored" for a project without a pull
/// mirror: that is no pull mirror, not an unreadable list.
#[test]
fn gitlabs_400_not_mirrored_answer_means_no_pull_mirror() {
    let api = FakeGitlab::start();
    api.rules(&[("main", false)]);
    let mut push = fixture("remote-mirrors-list.json");
    push[0]["url"] = "https://*****:*****@backup.example.com/acme/widgets.git".into();
    mount_mirror_lists(&api, (200, push), (400, fixture("pull-mirror-not-mirrored.json")));
    let w = world(&api, r#"["main"]"#);
    let found = check_run(&w).check("gitlab_mirrors");
    assert_eq!(found["status"], "pass", "{found}");
    assert!(found["message"].as_str().unwrap().contains("no pull mirror"), "{found}");
}

/// A mirror onto the Git Fusion repo fails the check even when the other list cannot be read;
/// lists that cannot be read make it a skip carrying GitLab's own words, never a pass.
#[test]
fn a_mirror_found_in_one_list_fails_even_when_the_other_is_unreadable() {
    let forbidden = serde_json::json!({"message": "403 Forbidden"});
    let api = FakeGitlab::start();
    api.rules(&[("main", false)]);
    let mut push = fixture("remote-mirrors-list.json");
    push[0]["url"] = "https://*****:*****@gitfusion.example.com/acme/widgets.git".into();
    mount_mirror_lists(&api, (200, push), (403, forbidden.clone()));
    let w = world(&api, r#"["main"]"#);
    let config = std::fs::read_to_string(w.path("gfbridge.toml")).expect("config");
    w.write_config(&config.replace("\"fusion.git\"", "\"git@gitfusion.example.com:acme/widgets\""));
    let found = check_run(&w).check("gitlab_mirrors");
    assert_eq!(found["status"], "fail", "{found}");
    // Neither list readable: not checked, with what GitLab said.
    let api2 = FakeGitlab::start();
    api2.rules(&[("main", false)]);
    mount_mirror_lists(&api2, (403, forbidden.clone()), (403, forbidden));
    let w2 = world(&api2, r#"["main"]"#);
    let skipped = check_run(&w2).check("gitlab_mirrors");
    assert_eq!(skipped["status"], "skip", "{skipped}");
    let message = skipped["message"].as_str().unwrap();
    assert!(message.starts_with("not checked:") && message.contains("403 Forbidden"), "{skipped}");
}

#[test]
fn a_gitlab_whose_certificate_nothing_vouches_for_is_refused() {
    // A real TLS server (Python's ssl) with a self-signed certificate: the handshake runs
    // (rustls with ring), and the certificate is refused, never trusted on first sight.
    let w = World::new();
    let (cert, key) = (w.path("cert.pem"), w.path("key.pem"));
    // A server certificate (not a CA's) for 127.0.0.1, as a real GitLab would present.
    let conf = w.path("cert.cnf");
    let openssl_config = "[req]\ndistinguished_name = dn\nx509_extensions = ext\nprompt = no\n\
        [dn]\nCN = 127.0.0.1\n[ext]\nbasicConstraints = critical,CA:FALSE\n\
        subjectAltName = IP:127.0.0.1\nkeyUsage = critical,digitalSignature,keyEncipherment\n\
        extendedKeyUsage = serverAuth\n";
    std::fs::write(&conf, openssl_config).expect("openssl config");
    run_ok(
        Command::new("openssl")
            .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-config"])
            .arg(&conf)
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert),
    );
    let server = r#"
import http.server, ssl, sys
httpd = http.server.HTTPServer(("127.0.0.1", 0), http.server.BaseHTTPRequestHandler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(sys.argv[1], sys.argv[2])
httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
print(httpd.server_address[1], flush=True)
httpd.serve_forever()
"#;
    let mut child = python3()
        .args(["-c", server])
        .arg(&cert)
        .arg(&key)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 runs");
    let mut port = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut port).expect("port");
    let config = format!(
        "[gitlab]\nurl = \"https://127.0.0.1:{}\"\ntoken_env = \"GFB_TEST_TOKEN\"\ntimeout = \"5s\"\n{}",
        port.trim(),
        w.default_config().replace(
            "protected_from = \"config\"",
            "protected_from = \"gitlab\"\ngitlab_project = \"acme/widgets\""
        )
    );
    w.write_config(&config);
    w.commit(Gitlab, "main", "not mirrored");
    let run = sync(&w);
    // Trusted through the system's certificate file, the same server completes the handshake
    // and answers (501: it serves no API), which proves the TLS stack itself works.
    let trusted = run_gfbridge(
        w.gfbridge_command(&["sync", "--format", "json"])
            .env("GFB_TEST_TOKEN", TOKEN)
            .env("SSL_CERT_FILE", &cert),
    );
    let _ = child.kill();
    let _ = child.wait();
    assert_ne!(run.code, 0, "{run}");
    // gfbridge's own message names the cause, not only a log line of the TLS library.
    let said = run.stderr.lines().find(|l| l.starts_with("gfbridge: ")).unwrap_or_default();
    assert!(said.contains("certificate"), "{run}");
    assert_eq!(w.tip(Fusion, "main"), None, "nothing mirrored on an unverified answer");
    assert_ne!(trusted.code, 0, "{trusted}");
    let said = trusted.stderr.lines().find(|l| l.starts_with("gfbridge: ")).unwrap_or_default();
    assert!(said.contains("501"), "{trusted}");
    assert!(!trusted.stderr.to_lowercase().contains("certificate"), "{trusted}");
}
