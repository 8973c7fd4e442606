//! The operations recipes under `deploy/`, checked by the validators their
//! platforms use: `systemd-analyze verify`, GitLab's CI schema, the Kubernetes schemas, and
//! hadolint; and every gfbridge command line in them parsed by gfbridge's own CLI.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Parser;

use crate::harness::{repo_root, to_run, Run};

fn recipe(rel: &str) -> PathBuf {
    repo_root().join("deploy").join(rel)
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(recipe(rel)).unwrap_or_else(|e| panic!("deploy/{rel}: {e}"))
}

/// Runs a validator that `scripts/setup.sh` installs.
fn validator(program: &str, args: &[&str], dir: &Path) -> Run {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} cannot run ({e}): scripts/setup.sh installs it"));
    to_run(out)
}

/// Asserts that gfbridge's own CLI accepts `line` (the words after the program name).
fn parses(line: &str) {
    let words = std::iter::once("gfbridge").chain(line.split_whitespace());
    if let Err(e) = gfbridge::cli::Cli::try_parse_from(words) {
        panic!("gfbridge does not accept `{line}`: {e}");
    }
}

#[test]
fn systemd_units_pass_systemd_analyze_verify() {
    if Command::new("systemd-analyze").arg("--version").output().is_err() {
        eprintln!("SKIPPED: systemd-analyze is not installed here; the units were not verified");
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let binary = env!("CARGO_BIN_EXE_gfbridge");
    for name in ["gfbridge-serve.service", "gfbridge-sync@.service", "gfbridge-sync@.timer"] {
        // Verify runs the binary's path check, so point ExecStart at the binary just built.
        let text = read(&format!("systemd/{name}")).replace("/usr/local/bin/gfbridge", binary);
        std::fs::write(dir.path().join(name), text).expect("unit");
    }
    let units = [
        "./gfbridge-serve.service",
        "./gfbridge-sync@widgets.service",
        "./gfbridge-sync@widgets.timer",
    ];
    let mut args = vec!["verify", "--man=no"];
    args.extend(units);
    let run = validator("systemd-analyze", &args, dir.path());
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.trim().is_empty(), "systemd warns about the units: {run}");
    for (name, prefix) in
        [("gfbridge-serve.service", "ExecStart="), ("gfbridge-sync@.service", "ExecStart=")]
    {
        let text = read(&format!("systemd/{name}"));
        let exec = text.lines().find_map(|l| l.strip_prefix(prefix)).expect("ExecStart");
        parses(&exec.replace("/usr/local/bin/gfbridge", "").replace("%i", "widgets"));
    }
    assert!(read("systemd/gfbridge-sync@.service").contains("SuccessExitStatus=3 4"));
}

#[test]
fn the_gitlab_ci_pipeline_matches_gitlabs_ci_schema_and_runs_one_job_per_workspace_at_a_time() {
    let path = recipe("gitlab-ci/gfbridge.gitlab-ci.yml");
    let path = path.to_str().expect("utf8");
    let run = validator(
        "check-jsonschema",
        &["--builtin-schema", "vendor.gitlab-ci", path],
        &repo_root(),
    );
    assert_eq!(run.code, 0, "{run}");
    let text = read("gitlab-ci/gfbridge.gitlab-ci.yml");
    assert!(text.contains("resource_group: \"gfbridge-$GFBRIDGE_WORKSPACE\""), "{text}");
    assert!(text.contains("key: \"gfbridge-state-$GFBRIDGE_WORKSPACE\""), "state kept: {text}");
    for line in text.lines().filter_map(|l| l.trim().strip_prefix("- gfbridge ")) {
        let line = line
            .split(['>', '|'])
            .next()
            .expect("command")
            .replace("\"$GFBRIDGE_WORKSPACE\"", "widgets");
        parses(&line);
    }
}

#[test]
fn the_kubernetes_cronjob_matches_the_kubernetes_schemas_and_forbids_overlapping_runs() {
    let path = recipe("kubernetes/gfbridge-cronjob.yaml");
    let run = validator("kubernetes-validate", &[path.to_str().expect("utf8")], &repo_root());
    assert_eq!(run.code, 0, "{run}");
    let text = read("kubernetes/gfbridge-cronjob.yaml");
    for needed in [
        "kind: CronJob",
        "concurrencyPolicy: Forbid",
        "startingDeadlineSeconds:",
        "kind: PersistentVolumeClaim",
        "claimName: gfbridge-state-widgets",
        "secretRef:",
        "configMap:",
        "runAsNonRoot: true",
    ] {
        assert!(text.contains(needed), "`{needed}` missing from the CronJob recipe");
    }
    let args = text.lines().find_map(|l| l.trim().strip_prefix("args: ")).expect("args");
    let words: Vec<String> = serde_json::from_str(args).expect("args is a JSON-style list");
    parses(&words.join(" "));
    // The config the ConfigMap carries is one gfbridge loads.
    let start = text.find("gfbridge.toml: |\n").expect("the config in the ConfigMap");
    let toml: String = text[start..]
        .lines()
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with("    "))
        .map(|l| format!("{}\n", l.strip_prefix("    ").unwrap_or(l)))
        .collect();
    let config = gfbridge::config::Config::parse(Path::new("/etc/gfbridge/gfbridge.toml"), &toml);
    assert!(config.is_ok(), "the ConfigMap's config does not load: {:?}\n{toml}", config.err());
}

#[test]
fn the_dockerfile_passes_hadolint_and_runs_gfbridge_as_a_non_root_user() {
    let path = recipe("container/Dockerfile");
    let run = validator("hadolint", &[path.to_str().expect("utf8")], &repo_root());
    assert_eq!(run.code, 0, "{run}");
    let text = read("container/Dockerfile");
    assert_eq!(text.lines().filter(|l| l.starts_with("FROM ")).count(), 2, "multi-stage");
    assert!(text.contains("git-lfs") && text.contains(" git "), "git and git-lfs installed");
    assert!(text.lines().any(|l| l.starts_with("USER 10001")), "non-root user");
    assert!(text.contains("ENTRYPOINT [\"/usr/local/bin/gfbridge\"]"));
}

/// The trigger lines `docs/operations.md` shows, read by Perforce's own form parser: each is
/// one entry of four words (name, type, path, command), the command runs the script shown, and
/// no secret or file expansion is written into the table.
#[test]
fn the_documented_perforce_trigger_is_a_valid_trigger_table_entry() {
    let doc = std::fs::read_to_string(repo_root().join("docs/operations.md")).expect("doc");
    let lines: Vec<&str> = doc.lines().filter(|l| l.contains(" change-commit //")).collect();
    assert!(!lines.is_empty(), "docs/operations.md shows a trigger line");
    let parsed = crate::harness::p4python_json("p4_triggers.py", &lines);
    assert_eq!(parsed["round_trip"], true, "{parsed}");
    for entry in parsed["entries"].as_array().expect("entries") {
        let words: Vec<&str> =
            entry["words"].as_array().expect("words").iter().filter_map(|w| w.as_str()).collect();
        assert_eq!(words.len(), 4, "name, type, path, command: {entry}");
        assert_eq!(words[1], "change-commit", "{entry}");
        assert!(words[2].starts_with("//") && words[2].ends_with("/..."), "{entry}");
        assert!(!words[3].contains('%'), "no %expansion% stands in for a secret: {entry}");
        assert!(!words[3].contains("Token"), "the secret stays out of the table: {entry}");
        assert!(words[3].ends_with("gfbridge-trigger.sh widgets"), "{entry}");
    }
    // The script it runs reaches the service over TLS, through the proxy the doc describes.
    assert!(
        doc.contains("\"https://gfbridge.example.com/hooks/trigger/$1\""),
        "https in the script"
    );
}

/// The GitLab CI recipe keeps LFS objects out of the job cache: the job removes them before
/// GitLab saves the cache (after `after_script`).
#[test]
fn the_gitlab_ci_recipe_keeps_lfs_objects_out_of_its_cache() {
    let text = read("gitlab-ci/gfbridge.gitlab-ci.yml");
    let after = text.split("after_script:").nth(1).expect("after_script");
    assert!(after.contains("rm -rf \".gfbridge/$GFBRIDGE_WORKSPACE/cache.git/lfs\""), "{after}");
    assert!(text.contains("- \".gfbridge/$GFBRIDGE_WORKSPACE/\""), "the state is cached");
}
