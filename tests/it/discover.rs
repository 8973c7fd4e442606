//! `gfbridge discover` (docs/discover.md): Git Fusion's repos from the stand-in's `p4 dirs`, a GitLab
//! group's projects (all pages, subgroups) from GitLab's documented answer, the pairs and the
//! unpaired, and `--write` keeping the config as it was.

use serde_json::{json, Value};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

use crate::gitlab::{fixture, FakeGitlab};
use crate::harness::*;

const TOKEN: &str = "glpat-discover-1234";

/// A copy of GitLab's documented project with another path and git address.
fn project(id: u64, path_with_namespace: &str, http_url: &str) -> Value {
    let mut p = fixture("group-projects-list.json")[0].clone();
    p["id"] = json!(id);
    p["path_with_namespace"] = json!(path_with_namespace);
    p["http_url_to_repo"] = json!(http_url);
    p
}

/// GitLab's group `studio`: page 1 is GitLab's documented answer verbatim, page 2 (through
/// `Link`) a subgroup's project, an already configured one and one Git Fusion lacks.
fn fake_gitlab(w: &World) -> FakeGitlab {
    let gitlab = FakeGitlab::start();
    let endpoint = "/api/v4/groups/studio/projects";
    let next = format!(
        "<{}{endpoint}?include_subgroups=true&per_page=100&page=2>; rel=\"next\"",
        gitlab.server.uri()
    );
    gitlab.mount(
        Mock::given(method("GET"))
            .and(path(endpoint))
            .and(query_param("include_subgroups", "true"))
            .and(query_param("page", "2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([
                project(21, "studio/games/racer", &w.remote(Gitlab).display().to_string()),
                project(22, "acme/widgets", "https://gitlab.example.com/acme/widgets.git"),
                project(23, "studio/new-thing", "https://gitlab.example.com/studio/new-thing.git"),
            ]))),
    );
    gitlab.mount(
        Mock::given(method("GET"))
            .and(path(endpoint))
            .and(query_param("include_subgroups", "true"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(fixture("group-projects-list.json"))
                    .insert_header("Link", next.as_str()),
            ),
    );
    let rule = |name: &str| json!({"id": 1, "name": name, "push_access_levels": [], "merge_access_levels": [], "allow_force_push": false, "code_owner_approval_required": false});
    gitlab.mount(
        Mock::given(method("GET"))
            .and(path("/api/v4/projects/h5bp%2Fhtml5-boilerplate/protected_branches"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!([rule("master"), rule("release/*")])),
            ),
    );
    gitlab.mount(
        Mock::given(method("GET"))
            .and(path("/api/v4/projects/studio%2Fgames%2Fracer/protected_branches"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([]))),
    );
    gitlab
}

/// The default world, with GitLab's API and four Git Fusion repos: one configured already,
/// one named as its project is, one a `--map` rule pairs, one with no project.
fn discover_world() -> (World, FakeGitlab) {
    let w = World::new();
    for repo in
        ["acme_0xS_widgets", "h5bp_0xS_html5-boilerplate", "games_0xS_racer", "legacy_0xS_tools"]
    {
        std::fs::create_dir_all(w.remote(Fusion).join("fusion/depot/.git-fusion/repos").join(repo))
            .expect("dir");
    }
    let gitlab = fake_gitlab(&w);
    let config = format!(
        "# The bridge's config: this comment must survive --write.\n[gitlab]\nurl = \"{}\"\ntoken_env = \"GFB_TOKEN\"\n{}",
        gitlab.server.uri(),
        w.default_config()
    );
    w.write_config(&config);
    (w, gitlab)
}

fn discover(w: &World, extra: &[&str]) -> Run {
    let mut args = vec![
        "discover",
        "--gitlab-group",
        "studio",
        "--fusion-url",
        "https://gf.example.com",
        "--map",
        "games/*=studio/games/*",
    ];
    args.extend_from_slice(extra);
    run_gfbridge(w.gfbridge_command(&args).env("GFB_TOKEN", TOKEN))
}

#[test]
fn repos_pair_with_projects_by_path_or_map_and_the_unpaired_are_listed() {
    let (w, _gitlab) = discover_world();
    let run = discover(&w, &["--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    let doc = run.json();
    let pairs: Vec<(&str, &str)> = doc["pairs"]
        .as_array()
        .expect("pairs")
        .iter()
        .map(|p| {
            (p["fusion_repo"].as_str().unwrap_or(""), p["gitlab_project"].as_str().unwrap_or(""))
        })
        .collect();
    assert_eq!(
        pairs,
        [
            ("h5bp/html5-boilerplate", "h5bp/html5-boilerplate"),
            ("games/racer", "studio/games/racer")
        ]
    );
    assert_eq!(
        doc["unpaired"],
        json!({"fusion": ["legacy/tools"], "gitlab": ["studio/new-thing"]})
    );
    let boilerplate = &doc["pairs"][0]["workspace"];
    assert_eq!(boilerplate["name"], "h5bp-html5-boilerplate");
    assert_eq!(
        boilerplate["gitlab_remote"],
        "http://gitlab.example.com/h5bp/html5-boilerplate.git"
    );
    assert_eq!(boilerplate["fusion_remote"], "https://gf.example.com/h5bp/html5-boilerplate");
    assert_eq!(boilerplate["branches"], json!(["master", "release/*"]), "what GitLab protects");
    assert_eq!(boilerplate["protected_from"], "gitlab");
    assert_eq!(doc["pairs"][1]["workspace"]["branches"], json!(["main"]), "nothing protected");
    let calls = read_jsonl(&w.remote(Fusion).join("fusion/p4-calls.log"));
    assert!(calls
        .iter()
        .any(|c| c["args"] == json!(["-ztag", "-Mj", "dirs", "//.git-fusion/repos/*"])));

    let text = discover(&w, &[]);
    assert_eq!(text.code, 0, "{text}");
    assert!(text.stdout.contains("[[workspace]]\nname = \"h5bp-html5-boilerplate\""), "{text}");
    assert!(
        text.stdout.contains("# Git Fusion repos with no GitLab project: legacy/tools"),
        "{text}"
    );
    assert!(!text.stdout.contains("acme/widgets"), "configured pairs are left out: {text}");
}

#[test]
fn write_appends_the_new_workspaces_keeping_the_config_byte_for_byte() {
    let (w, _gitlab) = discover_world();
    let before = std::fs::read_to_string(w.path("gfbridge.toml")).expect("config");
    // The racer workspace's Git Fusion remote is a real stand-in repo under the --fusion-url.
    let fusions = w.path("fusions");
    let make = repo_root().join("p4-fixtures/make-fusion-repo");
    run_ok(std::process::Command::new(make).arg(fusions.join("games/racer")).arg("games/racer"));
    let run = run_gfbridge(
        w.gfbridge_command(&[
            "discover",
            "--gitlab-group",
            "studio",
            "--fusion-url",
            &fusions.display().to_string(),
            "--map",
            "games/*=studio/games/*",
            "--write",
        ])
        .env("GFB_TOKEN", TOKEN),
    );
    assert_eq!(run.code, 0, "{run}");
    let after = std::fs::read_to_string(w.path("gfbridge.toml")).expect("config");
    assert!(after.starts_with(&before), "everything already there is kept byte for byte:\n{after}");
    assert!(after.contains("# The bridge's config: this comment must survive --write."));
    assert_eq!(after.matches("[[workspace]]").count(), 3, "{after}");
    let check = run_gfbridge(
        w.gfbridge_command(&["check", "-w", "studio-games-racer", "--format", "json"])
            .env("GFB_TOKEN", TOKEN),
    );
    assert_ne!(check.code, 2, "the new config loads: {check}");
    for id in ["config", "gitlab_remote", "fusion_remote", "gitlab_api"] {
        assert_eq!(check.check(id)["status"], "pass", "{id}: {check}");
    }
    let again = discover(&w, &["--format", "json"]);
    assert!(again.json()["pairs"].as_array().expect("pairs").is_empty(), "now configured: {again}");
}

#[test]
fn a_config_that_would_not_load_is_not_written() {
    let (w, _gitlab) = discover_world();
    // A workspace already has the name discover would give: the result would not load.
    let config = std::fs::read_to_string(w.path("gfbridge.toml")).expect("config");
    let taken = config.replace("name = \"widgets\"", "name = \"h5bp-html5-boilerplate\"");
    w.write_config(&taken);
    let run = discover(&w, &["--write"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("would not load") && run.stderr.contains("gfbridge.toml"), "{run}");
    assert!(!run.stderr.contains(".gfbridge-discover-"), "names the config, not the copy: {run}");
    assert_eq!(
        std::fs::read_to_string(w.path("gfbridge.toml")).expect("config"),
        taken,
        "unchanged"
    );
}

#[test]
fn bad_input_is_refused_naming_what_is_missing() {
    let (w, _gitlab) = discover_world();
    let bad_map = discover(&w, &["--map", "games/**=x/*"]);
    assert_eq!(bad_map.code, 2, "{bad_map}");
    assert!(bad_map.stderr.contains("one `*`"), "{bad_map}");
    let no_url = run_gfbridge(
        w.gfbridge_command(&["discover", "--gitlab-group", "studio"]).env("GFB_TOKEN", TOKEN),
    );
    assert_eq!(no_url.code, 2, "{no_url}");
    assert!(
        no_url.stderr.contains("--fusion-url") && no_url.stderr.contains("fusion_url"),
        "{no_url}"
    );
    w.write_config(&w.default_config());
    let no_gitlab = discover(&w, &[]);
    assert_eq!(no_gitlab.code, 2, "{no_gitlab}");
    assert!(no_gitlab.stderr.contains("[gitlab]"), "{no_gitlab}");
}
