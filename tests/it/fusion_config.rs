//! `p4gf_config` read as Git Fusion reads it (Python configparser), and the change-owner
//! cascade: repo `[@repo]` → global `[git-to-perforce]` → `author`.

use gfbridge::fusion::p4gf_config::*;

fn global(text: &str) -> IniFile {
    IniFile::parse("p4gf_config", text).expect("valid global file")
}

fn repo(text: &str) -> Option<IniFile> {
    Some(IniFile::parse("repos/acme_0xS_widgets/p4gf_config", text).expect("valid repo file"))
}

#[test]
fn configparser_syntax_colons_case_comments_and_continuations() {
    let ini = global(
        "# header\n[git-to-perforce]\nChange-Owner: Pusher\n; comment\nenable-git-submodules=no\n\n\
         [widgets-main]\ngit-branch-name = main\nview = //depot/w/main/... ...\n\
         \t-//depot/w/main/gen/... gen/...\n# dropped\n\n  +//depot/x/... x/...\n\n[Case]\nk = v\n",
    );
    assert_eq!(
        ini.get("git-to-perforce", "change-owner"),
        Some("Pusher"),
        "keys are case-insensitive"
    );
    assert_eq!(ini.get("git-to-perforce", "enable-git-submodules"), Some("no"));
    assert_eq!(
        ini.get("widgets-main", "view"),
        Some("//depot/w/main/... ...\n-//depot/w/main/gen/... gen/...\n\n+//depot/x/... x/..."),
        "continuation lines joined with newlines; comment lines dropped; inner blank kept"
    );
    assert_eq!(ini.get("Case", "k"), Some("v"));
    assert_eq!(ini.get("case", "k"), None, "section names are case-sensitive");
}

#[test]
fn invalid_ini_is_an_error_naming_file_and_line() {
    let cases = [
        ("k = v\n", 1, "before any [section]"),
        ("[a]\nno delimiter here\n", 2, "not `key = value`"),
        ("[a]\nk = 1\n[a]\n", 3, "appears twice"),
        ("[a]\nk = 1\nK = 2\n", 3, "appears twice"),
        ("[a]\n= orphan\n", 2, "no option name"),
    ];
    for (text, line, part) in cases {
        let err = IniFile::parse("p4gf_config", text).expect_err(text);
        assert_eq!(err.line, line, "{text:?}");
        assert!(err.to_string().contains(part) && err.to_string().contains("p4gf_config"), "{err}");
    }
}

#[test]
fn booleans_and_none_values_follow_configparser() {
    for yes in ["yes", "TRUE", "On", "1"] {
        assert_eq!(boolean(yes), Some(true), "{yes}");
    }
    for no in ["no", "False", "OFF", "0"] {
        assert_eq!(boolean(no), Some(false), "{no}");
    }
    assert_eq!(boolean("maybe"), None);
    assert!(is_none_value("") && is_none_value("None") && is_none_value("NONE"));
    assert!(!is_none_value("no"));
}

#[test]
fn change_owner_cascade_covers_every_case() {
    let g_pusher = "[git-to-perforce]\nchange-owner = pusher\n";
    let g_author = "[git-to-perforce]\nchange-owner = author\n";
    let cases: &[(&str, Option<&str>, ChangeOwner, Source, &str)] = &[
        ("", None, ChangeOwner::Author, Source::Default, "nothing set: default author"),
        (g_pusher, None, ChangeOwner::Pusher, Source::GlobalFile, "global pusher"),
        (
            "[git-to-perforce]\nchange-owner = Pusher\n",
            None,
            ChangeOwner::Pusher,
            Source::GlobalFile,
            "compared lower-case",
        ),
        (
            g_pusher,
            Some("[@repo]\nchange-owner = author\n"),
            ChangeOwner::Author,
            Source::RepoFile,
            "repo overrides global",
        ),
        (
            g_author,
            Some("[@repo]\nchange-owner = PUSHER\n"),
            ChangeOwner::Pusher,
            Source::RepoFile,
            "repo pusher wins",
        ),
        (
            g_pusher,
            Some("[git-to-perforce]\nchange-owner = author\n"),
            ChangeOwner::Pusher,
            Source::GlobalFile,
            "repo [git-to-perforce] is ignored",
        ),
        (
            g_pusher,
            Some("[@repo]\nchange-owner = none\n"),
            ChangeOwner::Author,
            Source::Default,
            "§9.7: none in [@repo] means unset, it does not fall through to the global pusher",
        ),
        (
            g_pusher,
            Some("[@repo]\nchange-owner =\n"),
            ChangeOwner::Author,
            Source::Default,
            "§9.7: empty in [@repo] likewise",
        ),
        (
            "[git-to-perforce]\nchange-owner = committer\n",
            None,
            ChangeOwner::Author,
            Source::GlobalFile,
            "unknown value treated as author",
        ),
    ];
    for (g, r, owner, source, why) in cases {
        let config = FusionConfig { global: global(g), repo: r.and_then(repo), lightweight: None };
        let effective = config.change_owner();
        assert_eq!((effective.owner, effective.source), (*owner, *source), "{why}");
    }
}

#[test]
fn repo_file_global_sections_are_reported_as_ignored() {
    let config = FusionConfig {
        global: global(""),
        repo: repo("[@repo]\ndescription = x\n[git-to-perforce]\nchange-owner = author\n"),
        lightweight: None,
    };
    assert_eq!(config.ignored_repo_sections(), vec!["git-to-perforce"]);
    let clean = FusionConfig {
        global: global(""),
        repo: repo("[@repo]\nread-only = no\n"),
        lightweight: None,
    };
    assert!(clean.ignored_repo_sections().is_empty());
}

#[test]
fn flags_cascade_and_non_booleans_fall_back_to_the_default() {
    let config = FusionConfig {
        global: global(
            "[git-to-perforce]\nenable-git-merge-commits = no\nenable-git-submodules = perhaps\n",
        ),
        repo: repo("[@repo]\nenable-git-branch-creation = off\n"),
        lightweight: None,
    };
    assert!(!config.flag(settings::MERGE_COMMITS));
    assert!(config.flag(settings::SUBMODULES), "not a boolean → default");
    assert!(!config.flag(settings::BRANCH_CREATION), "from [@repo]");
    let swarm = Flag {
        setting: Setting { section: "git-to-perforce", key: "enable-swarm-reviews" },
        default: true,
    };
    assert!(config.flag(swarm), "unset → default");
    assert!(!config.flag(settings::IGNORE_AUTHOR_PERMISSIONS), "unset → its own default");
}

#[test]
fn branch_sections_in_file_order_with_names_and_read_only() {
    let config = FusionConfig {
        global: global(""),
        repo: repo(
            "[@repo]\ndescription = d\n[widgets-main]\ngit-branch-name = main\nview = //d/... ...\n\
             [widgets-rel]\ngit-branch-name = release/2.0\nread-only = Yes\n",
        ), lightweight: None };
    let branches = config.branches();
    let got: Vec<(&str, Option<&str>, bool)> = branches
        .iter()
        .map(|b| (b.id.as_str(), b.git_branch_name.as_deref(), b.read_only))
        .collect();
    assert_eq!(
        got,
        vec![("widgets-main", Some("main"), false), ("widgets-rel", Some("release/2.0"), true)]
    );
}

#[test]
fn repo_names_are_encoded_for_depot_paths() {
    assert_eq!(encode_repo_name("foo/bar:zee"), "foo_0xS_bar_0xC_zee");
    assert_eq!(encode_repo_name("widgets"), "widgets");
}

/// A generated repo config with one section per branch: parsing must stay linear (80,000
/// sections took 48 s when each header searched every earlier section). The bound is 20×
/// what a linear parse needs in a debug build on a loaded 2-core machine.
#[test]
fn a_config_with_eighty_thousand_sections_parses_in_linear_time() {
    let mut text = String::from("[@repo]\ndescription = generated\n");
    for i in 0..80_000 {
        text.push_str(&format!(
            "[branch-{i}]\ngit-branch-name = b{i}\nview = //depot/b{i}/... ...\n"
        ));
    }
    let start = std::time::Instant::now();
    let ini = gfbridge::fusion::p4gf_config::IniFile::parse("p4gf_config", &text).expect("parses");
    let took = start.elapsed();
    assert_eq!(ini.get("branch-79999", "git-branch-name"), Some("b79999"));
    assert!(took < std::time::Duration::from_secs(10), "took {took:?}");
}

#[test]
fn email_case_sensitivity_is_true_for_any_non_empty_non_boolean_value() {
    // §9.5: getboolean() returns the raw text for a non-boolean, and Git Fusion tests its truth.
    let rows = [
        (None, None, false),
        (Some("yes"), None, true),
        (Some("no"), None, false),
        (Some("none"), None, true),
        (Some("maybe"), None, true),
        (Some(""), None, false),
        (Some("yes"), Some("off"), false),
        (Some("yes"), Some(""), false),
        (None, Some("none"), true),
    ];
    for (in_global, in_repo, expected) in rows {
        let g = in_global
            .map_or(String::new(), |v| format!("[authentication]\nemail-case-sensitivity = {v}\n"));
        let r = in_repo.map(|v| format!("[@repo]\nemail-case-sensitivity = {v}\n"));
        let config = FusionConfig {
            global: global(&g),
            repo: r.as_deref().and_then(repo),
            lightweight: None,
        };
        assert_eq!(
            config.truthy(settings::EMAIL_CASE_SENSITIVITY),
            expected,
            "global {in_global:?}, repo {in_repo:?}"
        );
    }
}

/// Lines that exercise configparser's corners: headers with text after them, `[DEFAULT]`,
/// continuation and comment lines, both delimiters, empty values, non-ASCII option names.
const LINES: &[&str] = &[
    "[a]",
    "[b]",
    "[DEFAULT]",
    "[a] # a note",
    "[c]x]",
    "  [d]",
    "[]",
    "key = v",
    "Key: v2",
    "k=",
    "k = a = b",
    "ÄKey = Über",
    "other :x",
    "  continued",
    "\tmore",
    "    # an indented comment",
    "# a comment",
    "; a comment",
    "",
    "   ",
    "x",
    "=v",
    "two words = yes",
];

/// Returns `count` texts of 1 to 8 lines drawn from `LINES`, the same ones on every run.
fn generated_texts(count: usize) -> Vec<String> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |bound: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % bound as u64) as usize
    };
    (0..count)
        .map(|_| {
            let lines: Vec<&str> = (0..1 + next(8)).map(|_| LINES[next(LINES.len())]).collect();
            lines.join("\n") + "\n"
        })
        .collect()
}

/// What gfbridge reads, in the shape the Python side prints.
fn as_configparser_reads(text: &str) -> serde_json::Value {
    match IniFile::parse("p4gf_config", text) {
        Err(_) => serde_json::json!({"error": true}),
        Ok(ini) => {
            let sections: Vec<serde_json::Value> = ini
                .section_names()
                .map(|name| serde_json::json!([name, ini.section(name).expect("listed")]))
                .collect();
            serde_json::json!({"sections": sections, "defaults": ini.defaults()})
        }
    }
}

#[test]
fn p4gf_config_texts_read_as_pythons_configparser_reads_them() {
    let mut texts: Vec<String> = [
        "[authentication]  # note\nauthor-source = git-user\n",
        "[@repo]\ndescription = one\n  two\n\n  three\n\n",
        "[a]\nk = 1\n# comment\n  still k\n",
        "[DEFAULT]\nread-only = yes\n[b]\ngit-branch-name = main\n",
        "[a]\nk = 1\n[a]\n",
        "k = 1\n",
    ]
    .iter()
    .map(|t| t.to_string())
    .collect();
    let count =
        std::env::var("GFBRIDGE_INI_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(400);
    texts.extend(generated_texts(count));
    let python: Vec<serde_json::Value> =
        serde_json::from_value(crate::harness::python_json("configparser_dump.py", &texts))
            .expect("a list");
    let mut disagreements = Vec::new();
    for (text, theirs) in texts.iter().zip(&python) {
        let ours = as_configparser_reads(text);
        let same = match (ours.get("error"), theirs.get("error")) {
            (Some(_), Some(_)) => true,
            (None, None) => ours == *theirs,
            _ => false,
        };
        if !same {
            disagreements.push(format!("{text:?}\n  python: {theirs}\n  gfbridge: {ours}"));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {} texts differ:\n{}",
        disagreements.len(),
        texts.len(),
        disagreements.join("\n")
    );
}
