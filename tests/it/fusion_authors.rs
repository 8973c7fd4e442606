//! Users, the usermap and author mapping, one test per rule of SPEC §4 / reference §2.2,
//! read from the example files in p4-fixtures/examples/.

use gfbridge::fusion::authors::*;
use gfbridge::fusion::users::*;

use crate::harness::repo_root;

fn example(name: &str) -> String {
    std::fs::read_to_string(repo_root().join("p4-fixtures/examples").join(name)).expect("example")
}

fn directory() -> Directory {
    Directory {
        usermap: parse_usermap("p4gf_usermap", &example("p4gf_usermap")).expect("usermap"),
        users: parse_users("users.jsonl", &example("users.jsonl")).expect("users"),
        sources: author_sources(None),
        email_case_sensitive: false,
        case_insensitive_server: false,
        unknown_user: "unknown_git".into(),
    }
}

fn pick(d: &Directory, name: &str, email: &str) -> (Option<String>, Via) {
    let m = d.map(name, email);
    (m.p4_user, m.via)
}

#[test]
fn users_parse_the_same_from_json_lines_and_ztag_text() {
    let json = parse_users("users.jsonl", &example("users.jsonl")).expect("json");
    let ztag = parse_users("users.ztag", &example("users.ztag")).expect("ztag");
    assert_eq!(json, ztag);
    assert_eq!(json.len(), 6);
    assert_eq!((json[4].user.as_str(), json[4].kind.as_str()), ("build", "service"));
}

#[test]
fn a_p4_error_record_in_users_is_an_error() {
    let err = parse_users(
        "users.jsonl",
        "{\"severity\":\"3\",\"generic\":\"1\",\"data\":\"Access denied\"}\n",
    );
    assert!(err.expect_err("error record").to_string().contains("Access denied"));
}

#[test]
fn usermap_lines_quotes_optional_two_columns_skipped_gf_user_skipped() {
    let lines = parse_usermap("p4gf_usermap", &example("p4gf_usermap")).expect("usermap");
    let got: Vec<(&str, &str, &str)> =
        lines.iter().map(|l| (l.user.as_str(), l.email.as_str(), l.full_name.as_str())).collect();
    assert_eq!(
        got,
        vec![
            ("jdoe", "jane@contractor.example", "Jane Doe"),
            ("jdoe", "jane.doe@example.com", "Jane Doe"),
            ("ghost", "ghost@example.com", "Left The Company"),
            ("build", "build-alias@example.com", "Build Robot"),
        ]
    );
}

#[test]
fn an_illegal_character_in_a_usermap_email_names_the_line() {
    let err =
        parse_usermap("p4gf_usermap", "jdoe jane@example.com \"Jane\"\nbob <bob@x.com> \"Bob\"\n")
            .expect_err("illegal");
    let text = err.to_string();
    assert!(text.contains("line 2") && text.contains("Illegal character '<'"), "{text}");
}

#[test]
fn usermap_wins_over_p4_users_and_is_read_in_file_order() {
    let d = directory();
    assert_eq!(pick(&d, "Jane", "jane@contractor.example"), (Some("jdoe".into()), Via::Usermap));
    assert_eq!(pick(&d, "Jane", "jane@example.com"), (Some("jdoe".into()), Via::P4Users));
}

#[test]
fn shorter_domains_are_tried_in_order() {
    let d = directory();
    // bob@dhcp.corp.example.com → bob@corp.example.com matches p4 users.
    assert_eq!(pick(&d, "Bob", "bob@dhcp.corp.example.com"), (Some("bsmith".into()), Via::P4Users));
    assert_eq!(
        candidate_keys(AuthorSource::GitEmail, "Bob", "bob@dhcp.corp.example.com"),
        vec!["bob@dhcp.corp.example.com", "bob@corp.example.com", "bob@example.com", "bob@com"]
    );
}

#[test]
fn emails_compare_case_insensitively_unless_case_sensitivity_is_on() {
    let mut d = directory();
    assert_eq!(pick(&d, "J", "JANE@Example.COM"), (Some("jdoe".into()), Via::P4Users));
    d.email_case_sensitive = true;
    assert_eq!(pick(&d, "J", "jane@EXAMPLE.com").1, Via::P4Users, "domain still case-insensitive");
    assert_eq!(pick(&d, "J", "JANE@example.com").1, Via::UnknownGit, "local part exact");
}

#[test]
fn unknown_git_only_when_it_exists() {
    let mut d = directory();
    assert_eq!(pick(&d, "Zed", "zed@nowhere.test"), (Some("unknown_git".into()), Via::UnknownGit));
    d.users.retain(|u| u.user != "unknown_git");
    let m = d.map("Zed", "zed@nowhere.test");
    assert_eq!((m.p4_user, m.via), (None, Via::Unmapped));
    assert!(m.detail.contains("User 'zed@nowhere.test' not permitted to commit"), "{}", m.detail);
}

#[test]
fn a_hit_on_a_user_that_does_not_exist_is_unmapped_without_fallback() {
    let d = directory();
    let m = d.map("Ghost", "ghost@example.com");
    assert_eq!((m.p4_user.clone(), m.via), (None, Via::Unmapped), "no fall back to unknown_git");
    assert!(m.detail.contains("ghost"), "{}", m.detail);
}

#[test]
fn usermap_lines_for_non_standard_users_are_skipped() {
    let d = directory();
    assert_eq!(
        pick(&d, "B", "build-alias@example.com"),
        (Some("unknown_git".into()), Via::UnknownGit)
    );
}

#[test]
fn author_sources_are_tried_in_order() {
    let mut d = directory();
    d.sources = author_sources(Some("git-email-account, git-email"));
    // The account `jdoe` is looked up as a user name: usermap lines first, as every lookup.
    assert_eq!(
        pick(&d, "x", "jdoe@elsewhere.test"),
        (Some("jdoe".into()), Via::Usermap),
        "account first"
    );
    d.sources = author_sources(Some("git-user"));
    assert_eq!(pick(&d, "bsmith", "nobody@nowhere.test"), (Some("bsmith".into()), Via::P4Users));
    assert_eq!(
        author_sources(Some("bogus")),
        vec![AuthorSource::GitEmail],
        "nothing usable → default"
    );
}

#[test]
fn user_names_fold_case_only_on_a_case_insensitive_server() {
    let mut d = directory();
    d.sources = author_sources(Some("git-user"));
    assert_eq!(pick(&d, "carol", "c@nowhere.test").1, Via::UnknownGit, "case-sensitive server");
    d.case_insensitive_server = true;
    assert_eq!(pick(&d, "carol", "c@nowhere.test"), (Some("Carol".into()), Via::P4Users));
}
