//! Small pure pieces whose rules come from references: GitLab's wildcard matching, git's
//! porcelain output, URL redaction, and how exit codes combine.

use gfbridge::config::pattern::BranchPattern;
use gfbridge::exit::Exit;
use gfbridge::git::porcelain::{fusion_push_id, parse_push, RefResult};
use gfbridge::git::redact;

#[test]
fn patterns_follow_gitlab_protected_branch_semantics() {
    let cases: &[(&str, &str, bool)] = &[
        ("main", "main", true),
        ("main", "main2", false),
        ("main", "Main", false),
        ("release/*", "release/2.0", true),
        ("release/*", "release/2.0/hotfix", true),
        ("release/*", "release/", true),
        ("release/*", "release", false),
        ("release/*", "Release/2.0", false),
        ("*-stable", "1-0-stable", true),
        ("*-stable", "1-0-stable-x", false),
        ("a.b", "axb", false),
        ("*", "anything/at/all", true),
        ("v*.x", "v1.x", true),
    ];
    for (pattern, name, expected) in cases {
        let p = BranchPattern::new(pattern).expect("valid pattern");
        assert_eq!(p.matches(name), *expected, "`{pattern}` vs `{name}`");
    }
}

proptest::proptest! {
    /// The matcher agrees with GitLab's own construction (RefMatcher: quote, `*` → `.*?`,
    /// anchor both ends), on an alphabet small enough to make stars and pieces collide.
    #[test]
    fn patterns_match_exactly_as_gitlabs_regex_does(
        pattern in "[ab/*é]{1,10}",
        name in "[ab/é]{0,12}",
    ) {
        let body: Vec<String> = pattern.split('*').map(regex::escape).collect();
        let gitlab = regex::Regex::new(&format!(r"\A{}\z", body.join(".*?"))).unwrap();
        let ours = BranchPattern::new(&pattern).expect("valid pattern");
        proptest::prop_assert_eq!(ours.matches(&name), gitlab.is_match(&name), "`{}` vs `{}`", pattern, name);
    }
}

#[test]
fn a_pattern_of_ten_thousand_stars_loads_and_matches_everything() {
    let pattern = "*".repeat(10_000);
    let p = BranchPattern::new(&pattern).expect("no size limit");
    assert!(p.matches("release/2.0") && p.matches(""));
    let p = BranchPattern::new(&format!("v{pattern}x")).expect("no size limit");
    assert!(p.matches("v1.x") && !p.matches("v1.y"));
}

#[test]
fn bad_patterns_are_refused_with_a_reason() {
    for bad in ["", "has space", "refs/heads/main"] {
        assert!(BranchPattern::new(bad).is_err(), "`{bad}` should be refused");
    }
}

#[test]
fn push_porcelain_is_classified_per_ref() {
    let out = "To ../remote.git\n\
        !\tf158:refs/heads/main\t[rejected] (stale info)\n\
        !\tf158:refs/heads/other\t[rejected] (atomic push failed)\n\
        \x20\tf158:refs/heads/ff\td098ece..f1582c3\n\
        *\tf158:refs/heads/new\t[new branch]\n\
        =\tf158:refs/heads/same\t[up to date]\n\
        !\td098:refs/heads/x\t[remote rejected] (pre-receive hook declined)\n\
        Done\n";
    let refs = parse_push(out);
    let got: Vec<(&str, &RefResult)> = refs.iter().map(|r| (r.dst.as_str(), &r.result)).collect();
    assert_eq!(
        got,
        vec![
            ("refs/heads/main", &RefResult::Stale),
            ("refs/heads/other", &RefResult::Collateral),
            ("refs/heads/ff", &RefResult::Updated),
            ("refs/heads/new", &RefResult::Updated),
            ("refs/heads/same", &RefResult::UpToDate),
            (
                "refs/heads/x",
                &RefResult::Refused("remote rejected: (pre-receive hook declined)".into())
            ),
        ]
    );
}

#[test]
fn fusion_push_id_is_read_from_the_remote_message() {
    assert_eq!(fusion_push_id("remote: Commencing push 42 processing...        \n"), Some(42));
    assert_eq!(fusion_push_id("remote: something else\n"), None);
}

#[test]
fn passwords_in_urls_are_redacted() {
    assert_eq!(
        redact("https://bob:s3cret@gitlab.example.com/a.git"),
        "https://bob:***@gitlab.example.com/a.git"
    );
    assert_eq!(
        redact("fatal: unable to access 'https://oauth2:tok@h/x.git/': refused"),
        "fatal: unable to access 'https://oauth2:***@h/x.git/': refused"
    );
    assert_eq!(redact("git@gitlab.example.com:acme/w.git"), "git@gitlab.example.com:acme/w.git");
    assert_eq!(redact("ssh://git@h:22/x"), "ssh://git@h:22/x");
}

#[test]
fn most_severe_exit_code_wins_in_contract_order() {
    use Exit::*;
    assert_eq!(Exit::worst([Ok, Busy, Attention]), Attention);
    assert_eq!(Exit::worst([Busy, Ok]), Busy);
    assert_eq!(Exit::worst([Attention, Failure]), Failure);
    assert_eq!(Exit::worst([Failure, Usage, Busy]), Usage);
    assert_eq!(Exit::worst([]), Ok);
}

#[test]
fn an_error_is_shown_with_every_cause_that_adds_something() {
    use gfbridge::sync::SyncError;
    let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "Permission denied");
    let error = SyncError::Dir { action: "create", path: "/srv/gf/widgets".into(), source: io };
    assert_eq!(gfbridge::errors::chain(&error), "cannot create /srv/gf/widgets: Permission denied");
}

/// The one table from error to exit code (docs/output.md), with each hint kept apart from the
/// message it belongs to.
#[test]
fn each_error_gives_its_contract_exit_code_and_keeps_its_hint_apart() {
    use gfbridge::config::ConfigError;
    use gfbridge::errors::Shown;
    use gfbridge::hook::install::InstallError;
    use gfbridge::state::lock::LockError;
    use gfbridge::sync::SyncError;
    let busy = SyncError::Lock(LockError::Busy { path: "/srv/gf/w/lock".into() });
    let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "Permission denied");
    let rows: Vec<(Shown, Exit, bool)> = vec![
        (Shown::from(&busy), Exit::Busy, true),
        (Shown::from(&SyncError::Moving { branches: "main".into() }), Exit::Busy, false),
        (
            Shown::from(&SyncError::Dir { action: "create", path: "/x".into(), source: io }),
            Exit::Failure,
            false,
        ),
        (
            Shown::from(&ConfigError::Invalid {
                path: "gfbridge.toml".into(),
                key: "bridge.interval".into(),
                message: "too long".into(),
            }),
            Exit::Usage,
            false,
        ),
        (
            Shown::from(&InstallError::Foreign { path: "/r/hooks/pre-receive".into() }),
            Exit::Usage,
            false,
        ),
        (
            Shown::from(&InstallError::Io {
                action: "write",
                path: "/r".into(),
                source: std::io::Error::from(std::io::ErrorKind::StorageFull),
            }),
            Exit::Failure,
            false,
        ),
    ];
    for (shown, exit, has_hint) in rows {
        assert_eq!(shown.exit, exit, "{}", shown.message);
        assert_eq!(shown.hint.is_some(), has_hint, "{}", shown.message);
        assert!(
            !shown.message.contains("--wait"),
            "the hint is not in the message: {}",
            shown.message
        );
    }
    let attribution = gfbridge::attribution::AttributionError::Plan(Shown::from(&busy));
    let shown = Shown::from(&attribution);
    assert_eq!(shown.exit, Exit::Busy, "authors on a busy workspace is 4");
    assert_eq!(shown.hint, None, "authors has no --wait");
}

proptest::proptest! {
    /// What `git ls-remote` prints reads back as the branches it listed; other refs are skipped.
    #[test]
    fn ls_remote_listings_read_back_as_written(
        branches in proptest::collection::btree_map(
            "[a-z0-9_][a-z0-9_-]{0,9}(/[a-z0-9_][a-z0-9_-]{0,9}){0,2}",
            "[0-9a-f]{40}",
            0..20,
        ),
    ) {
        let mut text = String::new();
        for (name, sha) in &branches {
            text.push_str(&format!("{sha}\trefs/heads/{name}\n{sha}\trefs/tags/{name}\n"));
        }
        let parsed = gfbridge::git::remote::parse_ls_remote(&text).expect("well formed");
        let back: std::collections::BTreeMap<String, String> =
            parsed.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        proptest::prop_assert_eq!(back, branches);
    }

    /// `p4 -ztag -Mj keys` lines read back as the pairs written, whatever the text in them.
    #[test]
    fn p4_key_lines_read_back_as_written(
        pairs in proptest::collection::vec(("\\PC{0,30}", "\\PC{0,60}"), 0..10),
    ) {
        let text: String = pairs
            .iter()
            .map(|(k, v)| format!("{}\n", serde_json::json!({"key": k, "value": v})))
            .collect();
        proptest::prop_assert_eq!(gfbridge::perforce::parse_keys(&text), pairs);
    }

    /// git's progress meters read back as the counts they show.
    #[test]
    fn git_progress_meters_read_back_as_their_counts(done in 0u64..1_000_000, extra in 0u64..1000) {
        let total = done + extra;
        let percent = (done * 100).checked_div(total).unwrap_or(100);
        let line = format!("Receiving objects: {percent:3}% ({done}/{total}), 1.20 MiB | 3.00 MiB/s");
        let counts = gfbridge::git::runner::progress_counts(&line);
        proptest::prop_assert_eq!(counts, Some(("Receiving objects", done, Some(total))));
    }
}

#[test]
fn git_log_raw_records_are_read_one_commit_at_a_time() {
    use gfbridge::git::log::next_commit;
    let (a, b) = ("1".repeat(40), "2".repeat(40));
    let zero = "0".repeat(40);
    // As `git log -z --raw --format=%x01%H %P%x00%an%x00%ae%x00` prints a root commit, then
    // a merge (first-parent diff) adding a gitlink, changing a file and deleting another.
    let mut bytes = format!("\x01{a} \0Ann Ö\0ann@example.com\0\0\n").into_bytes();
    bytes.extend(format!(":000000 100644 {zero} {b} A\0dir/new file\0").bytes());
    bytes.extend(format!("\x01{b} {a} {a}\0Bob\0bob@example.com\0\0\n").bytes());
    bytes.extend(format!(":000000 160000 {zero} {a} A\0sub\0").bytes());
    bytes.extend(format!(":100644 100755 {a} {b} M\0run.sh\0").bytes());
    bytes.extend(format!(":100644 000000 {a} {zero} D\0gone\0").bytes());
    let mut input = std::io::Cursor::new(bytes);
    let (oid, root) = next_commit(&mut input).expect("parses").expect("a commit");
    assert_eq!(oid.to_string(), a);
    assert_eq!(
        (root.parents, root.author_name.as_str(), root.author_email.as_str()),
        (0, "Ann Ö", "ann@example.com")
    );
    let paths: Vec<(&[u8], bool, bool)> =
        root.changes.iter().map(|c| (c.path.as_slice(), c.added, c.gitlink)).collect();
    assert_eq!(paths, vec![(&b"dir/new file"[..], true, false)]);
    let (oid, merge) = next_commit(&mut input).expect("parses").expect("a commit");
    assert_eq!((oid.to_string(), merge.parents), (b.clone(), 2));
    let paths: Vec<(&[u8], bool, bool, bool)> =
        merge.changes.iter().map(|c| (c.path.as_slice(), c.added, c.deleted, c.gitlink)).collect();
    assert_eq!(
        paths,
        vec![
            (&b"sub"[..], true, false, true),
            (&b"run.sh"[..], false, false, false),
            (&b"gone"[..], false, true, false),
        ],
        "deletions are listed too: views judge them"
    );
    assert!(next_commit(&mut input).expect("the end").is_none());
    let cut = format!("\x01{a} \0Ann");
    assert!(
        next_commit(&mut std::io::Cursor::new(cut.into_bytes())).is_err(),
        "a record cut short"
    );
}

#[test]
fn a_git_log_record_read_into_the_last_ones_buffers_keeps_nothing_of_it() {
    use gfbridge::git::log::{read_commit, CommitInfo};
    let (a, b) = ("1".repeat(40), "2".repeat(40));
    let zero = "0".repeat(40);
    // A merge with three entries by a long name, then a root commit with one by a short one:
    // the second must not show the first's extra entries, longer name or flags.
    let mut bytes =
        format!("\x01{a} {b} {b}\0Bartholomew Long\0bart@example.com\0\0\n").into_bytes();
    bytes.extend(format!(":000000 160000 {zero} {a} A\0a/very/long/submodule/path\0").bytes());
    bytes.extend(format!(":100644 100755 {a} {b} M\0run.sh\0").bytes());
    bytes.extend(format!(":100644 000000 {a} {zero} D\0gone\0").bytes());
    bytes.extend(format!("\x01{b} \0Al\0al@x\0\0\n").bytes());
    bytes.extend(format!(":100644 100644 {a} {b} M\0ab\0").bytes());
    let mut input = std::io::Cursor::new(bytes);
    let mut info = CommitInfo::default();
    assert_eq!(read_commit(&mut input, &mut info).expect("parses").map(|o| o.to_string()), Some(a));
    assert_eq!((info.parents, info.changes.len()), (2, 3));
    let second = read_commit(&mut input, &mut info).expect("parses").expect("a commit");
    assert_eq!(second.to_string(), b);
    assert_eq!(
        (info.parents, info.author_name.as_str(), info.author_email.as_str()),
        (0, "Al", "al@x")
    );
    let changes: Vec<(&[u8], bool, bool, bool, bool)> = info
        .changes
        .iter()
        .map(|c| (c.path.as_slice(), c.added, c.deleted, c.gitlink, c.regular))
        .collect();
    assert_eq!(changes, vec![(&b"ab"[..], false, false, false, true)]);
    assert_eq!(info.changes[0].blob.map(|o| o.to_string()), Some("2".repeat(40)));
    assert!(read_commit(&mut input, &mut info).expect("the end").is_none());
}

#[test]
fn every_reason_code_has_one_name_and_someone_to_act_on_it() {
    use gfbridge::reason::Code;
    use gfbridge::report::verdict::{code_remedy, Who};
    for code in Code::ALL {
        // JSON (serde) and text (as_str) must name a code alike.
        assert_eq!(serde_json::to_value(code).unwrap(), code.as_str(), "{code:?}");
        let (who, remedy) = code_remedy(code);
        assert!(remedy.ends_with('.'), "{code}: one sentence: {remedy}");
        // Only what the next sync settles by itself may leave nobody to act.
        if code.blocks_by_default() && code != Code::FusionPending {
            assert_ne!(who, Who::NextSync, "{code} blocks: somebody must act");
        }
    }
}

/// Branch names are judged as git itself judges them: each row is also given to the real
/// `git check-ref-format --branch`, so the table cannot drift from git.
#[test]
fn branch_names_are_accepted_exactly_when_git_accepts_them() {
    use gfbridge::refname::BranchName;
    let rows = [
        ("main", true),
        ("release/1.0", true),
        ("feature/a-b_c", true),
        ("ümlaut", true),
        ("a@b", true),
        ("", false),
        ("-x", false),
        ("@", true),
        ("a..b", false),
        ("a b", false),
        ("a~1", false),
        ("a^", false),
        ("a:b", false),
        ("a?", false),
        ("a*", false),
        ("a[", false),
        ("a\\b", false),
        ("a@{1}", false),
        ("a.", false),
        ("a/", false),
        ("/a", false),
        ("a//b", false),
        (".a", false),
        ("a/.b", false),
        ("a.lock", false),
        ("a.lock/b", false),
        ("a\tb", false),
        ("a\u{7f}", false),
    ];
    for (name, valid) in rows {
        let git = std::process::Command::new("git")
            .args(["check-ref-format", "--branch", name])
            .output()
            .expect("git runs");
        assert_eq!(git.status.success(), valid, "the table disagrees with git about `{name}`");
        let ours = name.parse::<BranchName>();
        assert_eq!(ours.is_ok(), valid, "`{name}`: {ours:?}");
        if let Err(e) = ours {
            assert!(e.to_string().contains(name), "the error names the text: {e}");
        }
    }
}

#[test]
fn git_urls_name_the_same_repository_on_any_transport() {
    use gfbridge::gitlab::mirrors::repository_of;
    let widgets = Some(("gitfusion.example.com".to_string(), "acme/widgets".to_string()));
    for url in [
        "https://*****:*****@GitFusion.example.com/acme/widgets.git",
        "ssh://git@gitfusion.example.com:2222/acme/widgets",
        "git@gitfusion.example.com:acme/widgets.git",
        "https://gitfusion.example.com/acme/widgets/",
    ] {
        assert_eq!(repository_of(url), widgets, "{url}");
    }
    assert_ne!(repository_of("https://gitfusion.example.com/acme/gadgets"), widgets);
    assert_eq!(repository_of("/srv/git/widgets.git"), None, "a local path");
    assert_eq!(repository_of("./dir:with/colon"), None, "a local path with a colon");
}

#[test]
fn housekeeping_is_due_past_gits_own_gc_auto_limits() {
    use gfbridge::git::remote::too_much;
    let rows = [
        (0, 0, false, "an empty repository"),
        (27, 50, false, "at both limits: git would do nothing"),
        (28, 0, true, "28 loose objects in one directory: about 7,168 in all, over 6,700"),
        (0, 51, true, "51 packs"),
    ];
    for (loose, packs, due, why) in rows {
        assert_eq!(too_much(loose, packs), due, "{why}");
    }
}
