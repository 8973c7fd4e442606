//! Git LFS both ways (docs/lfs.md), end to end with real parts: the real `git lfs` client makes
//! the commits, giftless on 127.0.0.1 is GitLab's LFS server (and the GitLab bare repository
//! refuses, as GitLab does, a push whose objects its LFS storage lacks), and the Git Fusion
//! stand-in's LFS endpoint has Git Fusion's quirks while its hooks enforce Git Fusion's LFS
//! rules and record what Perforce stores.

use std::process::Stdio;
use std::time::Duration;

use crate::harness::*;
use crate::lfs_world::*;

#[test]
fn an_lfs_commit_reaches_git_fusion_with_its_object_and_perforce_stores_the_file() {
    let l = LfsWorld::new();
    l.w.seed("main");
    assert_eq!(l.w.sync().code, 0);
    let work = l.clone_with_lfs(Gitlab, "work");
    let content = art(1);
    let commit = l.commit_and_push(&work, "main", &[("models/hero.bin", &content)]);
    assert!(l.gitlab_has(&content), "git lfs uploaded the object to GitLab's server");

    let dry = l.w.gfbridge(&["sync", "--dry-run", "--format", "json"]);
    let branch = dry.branch("main");
    assert_eq!(
        (branch["lfs_objects"].as_u64(), branch["lfs_bytes"].as_u64()),
        (Some(1), Some(content.len() as u64)),
        "{dry}"
    );
    let report = l.w.gfbridge(&["report", "--format", "json"]);
    let planned = report.branch("main");
    assert_eq!(
        (planned["lfs_objects"].as_u64(), planned["lfs_bytes"].as_u64()),
        (Some(1), Some(content.len() as u64)),
        "{report}"
    );
    assert_eq!(report.check("lfs")["status"], "pass", "{report}");

    let run = l.w.sync_json();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(l.w.tip(Fusion, "main").as_deref(), Some(commit.as_str()));
    let change =
        l.w.changelists().into_iter().find(|c| c["sha1"] == commit.as_str()).expect("a changelist");
    let file = change["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == "models/hero.bin")
        .expect("the file")
        .clone();
    assert_eq!(
        file["sha256"],
        sha256(&content),
        "Perforce holds the art, not the pointer: {change}"
    );
    assert_eq!(file["lfs"], true);

    let before = (l.gitlab_requests().len(), l.fusion_requests().len());
    let again = l.w.sync();
    assert_eq!(again.code, 0, "{again}");
    assert_eq!(
        (l.gitlab_requests().len(), l.fusion_requests().len()),
        before,
        "a second sync asks no LFS server"
    );
}

#[test]
fn a_perforce_side_lfs_change_reaches_gitlab_without_tripping_its_lfs_check() {
    let l = LfsWorld::new();
    l.w.seed("main");
    assert_eq!(l.w.sync().code, 0);
    let content = art(2);
    let commit = l.perforce_change("main", &[("textures/wall.bin", &content)]);
    assert!(!l.gitlab_has(&content));

    let run = l.w.sync();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(l.w.tip(Gitlab, "main").as_deref(), Some(commit.as_str()), "GitLab took the push");
    assert!(l.gitlab_has(&content), "the object was copied to GitLab's LFS server first");
    let uploads = l.gitlab_requests().iter().filter(|r| r.starts_with("PUT ")).count();
    assert_eq!(uploads, 1);
}

#[test]
fn a_push_without_pointers_makes_no_lfs_request() {
    let l = LfsWorld::new();
    l.w.seed("main");
    assert_eq!(l.w.sync().code, 0);
    l.w.commit(Gitlab, "main", "plain");
    l.w.commit(Fusion, "release/1", "plain too");
    assert_eq!(l.w.sync().code, 0);
    assert!(l.gitlab_requests().is_empty() && l.fusion_requests().is_empty());
}

#[test]
fn an_untracked_pointer_is_blocked_before_git_fusion_sees_it() {
    let l = LfsWorld::new();
    l.w.seed("main");
    assert_eq!(l.w.sync().code, 0);
    let content = art(3);
    let before = l.w.tip(Fusion, "main");
    // A pointer committed without `git lfs track`: .gitattributes does not cover it.
    let pointer = pointer_to(&content);
    let commit = l.w.commit_files(
        Gitlab,
        "main",
        &[("raw.dat", Entry::File(Box::leak(pointer.into_boxed_str())))],
        "sneaky",
    );
    let run = l.w.sync_json();
    assert_eq!(run.code, 3, "{run}");
    let reasons = run.branch("main")["reasons"].clone();
    let found = reasons
        .as_array()
        .expect("reasons")
        .iter()
        .find(|r| r["code"] == "lfs_untracked_pointer")
        .expect("lfs_untracked_pointer")
        .clone();
    assert_eq!(
        (found["commit"].as_str(), found["path"].as_str()),
        (Some(commit.as_str()), Some("raw.dat"))
    );
    assert_eq!(l.w.tip(Fusion, "main"), before, "nothing was pushed");
    // The stand-in agrees: pushed by hand, Git Fusion refuses it.
    let (ok, said) = l.w.plain_push_to_fusion(Gitlab, "main:main");
    assert!(!ok && said.contains("Push of Git LFS text pointer not tracked by LFS"), "{said}");
}

#[test]
fn a_tracked_pointer_is_not_called_untracked() {
    let l = LfsWorld::new();
    l.w.seed("main");
    assert_eq!(l.w.sync().code, 0);
    let work = l.clone_with_lfs(Gitlab, "work");
    l.commit_and_push(&work, "main", &[("deep/dir/a.bin", &art(4))]);
    let run = l.w.gfbridge(&["sync", "--dry-run", "--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.branch("main")["reasons"], serde_json::json!([]));
}

#[test]
fn pointers_to_a_git_fusion_without_lfs_are_blocked_and_fine_once_it_has_lfs() {
    let l = LfsWorld::new();
    l.w.seed("main");
    assert_eq!(l.w.sync().code, 0);
    let work = l.clone_with_lfs(Gitlab, "work");
    l.commit_and_push(&work, "main", &[("a.bin", &art(5))]);
    l.fusion_lfs(false);
    let run = l.w.sync_json();
    assert_eq!(run.code, 3, "{run}");
    let codes: Vec<String> = run.branch("main")["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| r["code"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(codes.contains(&"lfs_disabled_on_fusion".to_string()), "{run}");
    assert!(l.fusion_requests().is_empty(), "a blocked push copies nothing");
    l.fusion_lfs(true);
    let run = l.w.sync();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(l.w.tip(Fusion, "main"), l.w.tip(Gitlab, "main"));
}

#[test]
fn an_object_no_server_holds_blocks_the_push_either_way() {
    let l = LfsWorld::new();
    l.w.seed("main");
    assert_eq!(l.w.sync().code, 0);
    // Committed without uploading: neither server has the object.
    let lost = art(6);
    let pointer: &'static str = Box::leak(pointer_to(&lost).into_boxed_str());
    let gitattributes = "*.bin filter=lfs diff=lfs merge=lfs -text\n";
    let commit = l.w.commit_files(
        Fusion,
        "release/1",
        &[(".gitattributes", Entry::File(gitattributes)), ("lost.bin", Entry::File(pointer))],
        "lost",
    );
    let run = l.w.sync_json();
    assert_eq!(run.code, 3, "{run}");
    let branch = run.branch("release/1");
    assert_eq!(branch["action"], "blocked", "{run}");
    let reason = branch["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .find(|r| r["code"] == "lfs_missing_content")
        .expect("lfs_missing_content")
        .clone();
    assert_eq!(
        (reason["commit"].as_str(), reason["path"].as_str()),
        (Some(commit.as_str()), Some("lost.bin"))
    );
    assert!(reason["message"].as_str().expect("message").contains(&sha256(&lost)));
    assert_eq!(l.w.tip(Gitlab, "release/1"), None, "nothing was pushed to GitLab");

    // Once Git Fusion holds the object (submitted in Perforce), the same push goes through.
    l.store_in_fusion(&lost);
    assert_eq!(l.w.sync().code, 0);
    assert_eq!(l.w.tip(Gitlab, "release/1").as_deref(), Some(commit.as_str()));
    assert!(l.gitlab_has(&lost));
}

#[test]
fn a_failing_lfs_server_fails_the_branch_and_pushes_nothing() {
    let l = LfsWorld::new();
    l.w.seed("main");
    assert_eq!(l.w.sync().code, 0);
    let work = l.clone_with_lfs(Gitlab, "work");
    l.commit_and_push(&work, "main", &[("a.bin", &art(7))]);
    l.w.set_fusion_settings(r#"{"lfs_fail_uploads": true}"#);
    let before = l.w.tip(Fusion, "main");
    let run = l.w.sync_json();
    assert_eq!(run.code, 1, "{run}");
    let branch = run.branch("main");
    assert_eq!(branch["outcome"], "failed", "{run}");
    assert!(
        branch["message"].as_str().expect("message").contains("disk full"),
        "the server's message: {run}"
    );
    assert!(branch["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .any(|r| r["code"] == "lfs_transfer_failed"));
    assert_eq!(l.w.tip(Fusion, "main"), before, "no git push was made");
    l.w.set_fusion_settings(r#"{"lfs_fail_uploads": false}"#);
    assert_eq!(l.w.sync().code, 0);
    assert_eq!(l.w.tip(Fusion, "main"), l.w.tip(Gitlab, "main"));
}

#[test]
fn a_run_killed_mid_transfer_converges_without_downloading_finished_objects_again() {
    let l = LfsWorld::new();
    l.w.seed("main");
    assert_eq!(l.w.sync().code, 0);
    let work = l.clone_with_lfs(Gitlab, "work");
    let (a, b) = (art(8), art(9));
    l.commit_and_push(&work, "main", &[("a.bin", &a), ("b.bin", &b)]);
    // Git Fusion's server takes `a`, and keeps `b`'s upload waiting: the run is killed there.
    l.w.set_fusion_settings(&format!(r#"{{"lfs_hold_oid": "{}"}}"#, sha256(&b)));
    let (hold, holding) =
        (l.w.remote(Fusion).join("fusion/lfs-hold"), l.w.remote(Fusion).join("fusion/lfs-holding"));
    std::fs::write(&hold, "").expect("hold");
    let before = l.w.tip(Fusion, "main");
    let mut child =
        l.w.gfbridge_command(&["sync"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("sync");
    let on_fusion =
        |content: &[u8]| l.w.remote(Fusion).join("fusion/lfs-cache").join(sha256(content)).exists();
    await_condition(
        "a on Git Fusion's server, b's upload waiting",
        Duration::from_secs(60),
        || on_fusion(&a) && holding.exists(),
    );
    kill9(&mut child);
    assert_eq!(l.w.tip(Fusion, "main"), before, "killed before its git push");
    std::fs::remove_file(&hold).expect("release");
    let run = l.w.sync();
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(l.w.tip(Fusion, "main"), l.w.tip(Gitlab, "main"));
    let downloads = |content: &[u8]| {
        let path =
            format!("GET /acme/widgets.git/info/lfs/objects/storage/{} 200", sha256(content));
        l.gitlab_requests().iter().filter(|r| **r == path).count()
    };
    assert_eq!(downloads(&a), 1, "the finished object was not downloaded again");
    assert!(downloads(&b) <= 2, "at most once more for the one cut short");
    for content in [&a, &b] {
        assert_eq!(
            std::fs::read(l.fusion_object_path(&sha256(content))).expect("stored in Perforce"),
            *content
        );
    }
}

#[test]
fn lfs_off_mirrors_pointers_as_plain_files_and_asks_no_server() {
    let l = LfsWorld::new();
    l.w.write_config(&l.config("lfs = \"off\"\n"));
    l.w.seed("main");
    assert_eq!(l.w.sync().code, 0);
    l.perforce_change("main", &[("a.bin", &art(10))]);
    let requests = l.gitlab_requests().len();
    let run = l.w.sync();
    // GitLab's own rule refuses the push: that is what `off` means, and it is reported.
    assert_ne!(run.code, 0, "{run}");
    assert_eq!(l.gitlab_requests().len(), requests, "no LFS request with lfs = \"off\"");
}

#[test]
fn a_dry_run_estimates_when_the_destination_cannot_be_asked() {
    let l = LfsWorld::new();
    l.w.seed("main");
    assert_eq!(l.w.sync().code, 0);
    let content = art(11);
    l.perforce_change("main", &[("a.bin", &content)]);
    std::fs::write(l.w.path("gitlab-lfs/.fail"), "").expect("fail flag");
    let run = l.w.gfbridge(&["sync", "--dry-run", "--format", "json"]);
    let branch = run.branch("main");
    assert_eq!(branch["lfs_estimated"], true, "{run}");
    assert_eq!(
        (branch["lfs_objects"].as_u64(), branch["lfs_bytes"].as_u64()),
        (Some(1), Some(content.len() as u64))
    );
}

#[test]
fn check_lfs_says_whether_both_servers_and_git_fusion_are_ready() {
    let l = LfsWorld::new();
    l.w.seed("main");
    let run = l.w.gfbridge(&["check", "--format", "json"]);
    assert_eq!(l.w.sync().code, 0);
    let _ = run;
    let work = l.clone_with_lfs(Gitlab, "work");
    l.commit_and_push(&work, "main", &[("a.bin", &art(12))]);
    assert_eq!(l.w.sync().code, 0, "the LFS commit is mirrored (and its tip cached)");
    let good = l.w.gfbridge(&["check", "--format", "json"]).check("lfs");
    assert_eq!(good["status"], "pass", "{good}");
    l.w.global_config("[perforce-to-git]\ngit-lfs-enable = yes\n");
    let bad = l.w.gfbridge(&["check", "--format", "json"]).check("lfs");
    assert_eq!(bad["status"], "fail", "{bad}");
    let message = bad["message"].as_str().expect("message");
    assert!(message.contains("http-url") && message.contains("fusion: LFS server"), "{message}");
}

#[test]
fn a_push_through_the_hook_carries_its_lfs_objects_to_git_fusion_first() {
    let l = LfsWorld::new();
    let work = l.hooked_clone();
    let content = art(13);
    let commit = l.commit_and_push(&work, "main", &[("a.bin", &content)]);
    assert_eq!(
        l.w.tip(Fusion, "main").as_deref(),
        Some(commit.as_str()),
        "the hook proxied the push"
    );
    let change =
        l.w.changelists().into_iter().find(|c| c["sha1"] == commit.as_str()).expect("a changelist");
    let files = change["files"].as_array().expect("files");
    let file = files.iter().find(|f| f["path"] == "a.bin").expect("a.bin");
    assert_eq!(file["sha256"], sha256(&content), "Perforce holds the art: {change}");
}

#[test]
fn lfs_objects_travel_with_the_configured_credential_and_the_secret_shows_nowhere() {
    let secret = "glpat-LfsSecret-9f8e7d";
    let l = LfsWorld::with_gitlab_login(Some(("oauth2", secret)));
    let config = format!(
        "[credentials.gitlab]\nusername = \"oauth2\"\npassword_env = \"GFB_LFS_TOKEN\"\n{}",
        l.config("")
    );
    l.w.write_config(&config);
    l.w.seed("main");
    assert_eq!(l.w.sync().code, 0);
    let content = art(14);
    l.perforce_change("main", &[("a.bin", &content)]);
    // A wrong token: the branch fails with GitLab's answer, and nothing is pushed.
    let run = run_gfbridge(
        l.w.gfbridge_command(&["sync", "--format", "json"]).env("GFB_LFS_TOKEN", "wrong"),
    );
    assert_eq!(run.code, 1, "{run}");
    assert!(run.branch("main")["message"].as_str().expect("message").contains("401"), "{run}");
    assert!(!l.gitlab_has(&content));
    let check = run_gfbridge(
        l.w.gfbridge_command(&["check", "--format", "json"]).env("GFB_LFS_TOKEN", "wrong"),
    );
    assert_eq!(check.check("lfs")["status"], "fail", "{check}");
    // The right one.
    let run = run_gfbridge(
        l.w.gfbridge_command(&["sync", "--format", "json"]).env("GFB_LFS_TOKEN", secret),
    );
    assert_eq!(run.code, 0, "{run}");
    assert!(l.gitlab_has(&content));
    let journal =
        std::fs::read_to_string(l.w.path(".gfbridge/widgets/journal.jsonl")).unwrap_or_default();
    for text in [&run.stdout, &run.stderr, &check.stdout, &journal] {
        assert!(!text.contains(secret), "the secret leaked: {text}");
    }
}

#[test]
fn the_hook_carries_lfs_objects_even_without_git_fusions_settings() {
    let l = LfsWorld::new();
    // No [perforce] section: no preflight, but the objects still go first.
    let config = format!(
        "{DEFAULT_CONFIG}gitlab_lfs_url = \"{}\"\nfusion_lfs_url = \"{}\"\n",
        l.gitlab_lfs_url, l.fusion_lfs_url
    );
    l.w.write_config(&config);
    let work = l.hooked_clone();
    let content = art(15);
    let commit = l.commit_and_push(&work, "main", &[("b.bin", &content)]);
    assert_eq!(l.w.tip(Fusion, "main").as_deref(), Some(commit.as_str()));
    assert_eq!(
        std::fs::read(l.fusion_object_path(&sha256(&content))).expect("stored in Perforce"),
        content
    );
}

#[test]
fn without_an_lfs_endpoint_on_gitlab_its_own_check_refuses_and_check_lfs_names_the_key() {
    let l = LfsWorld::new();
    let config = format!("{}fusion_lfs_url = \"{}\"\n", l.w.default_config(), l.fusion_lfs_url);
    l.w.write_config(&config);
    l.w.seed("main");
    assert_eq!(l.w.sync().code, 0);
    l.perforce_change("main", &[("a.bin", &art(16))]);
    let before = l.w.tip(Gitlab, "main");
    let run = l.w.sync_json();
    assert_eq!(run.code, 3, "{run}");
    assert!(
        run.branch("main")["message"]
            .as_str()
            .expect("message")
            .contains("LFS objects are missing"),
        "{run}"
    );
    assert_eq!(l.w.tip(Gitlab, "main"), before);
    let check = l.w.gfbridge(&["check", "--format", "json"]).check("lfs");
    assert_eq!(check["status"], "fail", "{check}");
    assert!(check["message"].as_str().expect("message").contains("gitlab_lfs_url"), "{check}");
}

#[test]
fn check_lfs_on_a_fresh_cache_fetches_the_tips_and_fails_on_a_missing_http_url() {
    let l = LfsWorld::new();
    l.w.seed("main");
    let work = l.clone_with_lfs(Gitlab, "work");
    l.commit_and_push(&work, "main", &[("a.bin", &art(7))]);
    // Git Fusion's LFS server URL is unset, and gfbridge has never run here: no cache.
    l.w.global_config("[perforce-to-git]\ngit-lfs-enable = yes\n");
    let before = (l.w.branches(Gitlab), l.w.branches(Fusion));
    let check = l.w.gfbridge(&["check", "--format", "json"]).check("lfs");
    assert_eq!(check["status"], "fail", "it looked into the tips instead of passing: {check}");
    assert_eq!((l.w.branches(Gitlab), l.w.branches(Fusion)), before, "no remote was written");
    assert!(check["message"].as_str().unwrap_or("").contains("http-url"), "{check}");
    // What it fetched to look is not left behind as refs.
    let refs = run_ok(
        git().arg("--git-dir").arg(l.w.path(".gfbridge/widgets/cache.git")).arg("for-each-ref"),
    );
    assert!(!refs.contains("refs/gfbridge/check/"), "{refs}");
}

#[test]
fn check_lfs_is_skipped_not_passed_when_the_tips_cannot_be_fetched() {
    let l = LfsWorld::new();
    l.w.seed("main");
    // Git Fusion's repository answers ls-remote through the wrapper, but no fetch works.
    l.w.wrap_git(
        "case \" $* \" in *\" fetch \"*) echo 'fatal: the remote hung up' >&2; exit 128;; esac",
    );
    let check = l.w.gfbridge(&["check", "--format", "json"]).check("lfs");
    assert_eq!(check["status"], "skip", "{check}");
    assert!(check["message"].as_str().unwrap_or("").starts_with("not checked:"), "{check}");
}

#[test]
fn lfs_settings_in_a_section_git_fusion_ignores_are_named_with_the_section_they_belong_in() {
    let l = LfsWorld::new();
    l.w.seed("main");
    let work = l.clone_with_lfs(Gitlab, "work");
    l.commit_and_push(&work, "main", &[("a.bin", &art(5))]);
    // Global: LFS off. The repo's file "turns it on" where Git Fusion never reads it.
    l.w.global_config("[perforce-to-git]\ngit-lfs-enable = no\n");
    l.w.repo_config(
        "[perforce-to-git]\ngit-lfs-enable = yes\nhttp-url = http://lfs.example/{repo}\n",
    );
    let check = l.w.gfbridge(&["check", "--format", "json"]).check("lfs");
    assert_eq!(check["status"], "fail", "{check}");
    let message = check["message"].as_str().unwrap_or("");
    assert!(
        message.contains(
            "git-lfs-enable is not yes; the repo's p4gf_config sets it under [perforce-to-git]"
        ),
        "{message}"
    );
    assert!(message.contains("move it to [@repo]"), "{message}");
    // In [@repo] they take effect, and nothing is said about sections.
    l.fusion_lfs(true);
    l.w.repo_config("[@repo]\ngit-lfs-enable = yes\n");
    let fixed = l.w.gfbridge(&["check", "--format", "json"]).check("lfs");
    assert!(!fixed["message"].as_str().unwrap_or("").contains("ignores"), "{fixed}");
}
