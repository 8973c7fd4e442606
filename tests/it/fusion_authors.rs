//! Users, the usermap and author mapping, one test per rule of docs/git-fusion.md,
//! read from the example files in p4-fixtures/examples/.

use gfbridge::fusion::authors::*;
use gfbridge::fusion::users::*;

use crate::harness::repo_root;

fn example(name: &str) -> String {
    std::fs::read_to_string(repo_root().join("p4-fixtures/examples").join(name)).expect("example")
}

fn users() -> Vec<P4User> {
    parse_users("users.jsonl", &example("users.jsonl")).expect("users")
}

fn build(users: Vec<P4User>, sources: Option<&str>, sensitive: bool, fold: bool) -> Directory {
    let usermap = parse_usermap("p4gf_usermap", &example("p4gf_usermap"));
    Directory::new(usermap, users, author_sources(sources), sensitive, fold)
}

fn directory() -> Directory {
    build(users(), None, false, false)
}

fn pick(d: &mut Directory, name: &str, email: &str) -> (Option<String>, Via) {
    let m = d.map(name, email);
    (m.p4_user, m.via)
}

fn user(name: &str, email: &str, kind: &str) -> P4User {
    P4User {
        user: name.into(),
        email: email.into(),
        full_name: name.into(),
        kind: gfbridge::fusion::users::UserType::parse(kind),
    }
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
fn usermap_lines_quotes_optional_two_columns_skipped() {
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
            ("git-fusion-user", "everyone@example.com", "Git Fusion"),
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
    let mut d = directory();
    assert_eq!(
        pick(&mut d, "Jane", "jane@contractor.example"),
        (Some("jdoe".into()), Via::Usermap)
    );
    assert_eq!(pick(&mut d, "Jane", "jane@example.com"), (Some("jdoe".into()), Via::P4Users));
}

#[test]
fn shorter_domains_are_tried_in_order_split_at_the_last_at() {
    let mut d = directory();
    // bob@dhcp.corp.example.com → bob@corp.example.com matches p4 users.
    assert_eq!(
        pick(&mut d, "Bob", "bob@dhcp.corp.example.com"),
        (Some("bsmith".into()), Via::P4Users)
    );
    assert_eq!(
        email_candidates("bob@dhcp.corp.example.com"),
        vec!["bob@dhcp.corp.example.com", "bob@corp.example.com", "bob@example.com", "bob@com"]
    );
    assert_eq!(email_candidates("a@b@c.org"), vec!["a@b@c.org", "a@b@org"], "§9.6: last @");
    assert!(email_candidates("bob").is_empty(), "§9.6: no @, no git-email key");
    assert!(email_candidates("@example.com").is_empty(), "an @ at the front: no key");
}

#[test]
fn emails_compare_case_insensitively_unless_case_sensitivity_is_on() {
    let mut d = directory();
    assert_eq!(pick(&mut d, "J", "JANE@Example.COM"), (Some("jdoe".into()), Via::P4Users));
    let mut d = build(users(), None, true, false);
    assert_eq!(
        pick(&mut d, "J", "jane@EXAMPLE.com").1,
        Via::P4Users,
        "domain still case-insensitive"
    );
    assert_eq!(pick(&mut d, "J", "JANE@example.com").1, Via::UnknownGit, "local part exact");
}

#[test]
fn letter_case_of_addresses_folds_beyond_ascii() {
    // §9.11: Python's str.lower(), not ASCII-only folding.
    let mut d = build(vec![user("eva", "éva@example.com", "standard")], None, false, false);
    assert_eq!(pick(&mut d, "Éva", "ÉVA@example.com"), (Some("eva".into()), Via::P4Users));
    assert!(same_user("STRASSE", "straße", true), "casefold: ß is ss on a case-insensitive server");
    assert!(!same_user("STRASSE", "straße", false));
}

#[test]
fn unknown_git_only_when_it_is_a_standard_user() {
    let mut d = directory();
    assert_eq!(
        pick(&mut d, "Zed", "zed@nowhere.test"),
        (Some("unknown_git".into()), Via::UnknownGit)
    );
    let mut without = users();
    without.retain(|u| u.user != "unknown_git");
    let m = build(without, None, false, false).map("Zed", "zed@nowhere.test");
    assert_eq!((m.p4_user, m.via), (None, Via::Unmapped));
    assert!(m.detail.contains("User 'zed@nowhere.test' not permitted to commit"), "{}", m.detail);
    // §9.1: a service `unknown_git` is invisible to `p4 users`, so it does not exist either.
    let mut service = users();
    service
        .iter_mut()
        .filter(|u| u.user == "unknown_git")
        .for_each(|u| u.kind = gfbridge::fusion::users::UserType::Service);
    let m = build(service, None, false, false).map("Zed", "zed@nowhere.test");
    assert_eq!((m.p4_user, m.via), (None, Via::Unmapped));
}

#[test]
fn service_and_operator_users_are_invisible_to_author_mapping() {
    // §9.1: Git Fusion runs `p4 users` without -a. build@example.com is a service user.
    let mut d = directory();
    assert_eq!(
        pick(&mut d, "B", "build@example.com"),
        (Some("unknown_git".into()), Via::UnknownGit)
    );
    let mut ops = users();
    ops.push(user("oper", "oper@example.com", "operator"));
    let mut d = build(ops, Some("git-user"), false, false);
    assert_eq!(pick(&mut d, "oper", "x@y.test").1, Via::UnknownGit);
}

#[test]
fn a_hit_on_a_user_that_does_not_exist_is_unmapped_without_fallback() {
    let m = directory().map("Ghost", "ghost@example.com");
    assert_eq!((m.p4_user.clone(), m.via), (None, Via::Unmapped), "no fall back to unknown_git");
    assert!(m.detail.contains("ghost"), "{}", m.detail);
}

#[test]
fn usermap_lines_for_non_standard_users_and_git_fusion_user_are_skipped() {
    let mut d = directory();
    let unknown = (Some("unknown_git".into()), Via::UnknownGit);
    assert_eq!(pick(&mut d, "B", "build-alias@example.com"), unknown);
    assert_eq!(pick(&mut d, "E", "everyone@example.com"), unknown);
    // §9.9: on a case-insensitive server, in any letter case; indented `#` lines are comments.
    let usermap = parse_usermap(
        "p4gf_usermap",
        "Git-Fusion-User all@example.com \"GF\"\n   # jdoe commented@example.com \"Jane\"\n",
    );
    let mut d = Directory::new(usermap.clone(), users(), author_sources(None), false, true);
    assert_eq!(pick(&mut d, "A", "all@example.com"), unknown);
    assert_eq!(pick(&mut d, "J", "commented@example.com"), unknown);
    let mut d = Directory::new(usermap, users(), author_sources(None), false, false);
    assert_eq!(
        pick(&mut d, "A", "all@example.com"),
        (None, Via::Unmapped),
        "case-sensitive: a user"
    );
}

#[test]
fn author_sources_are_strict_case_sensitive_and_have_no_fallback() {
    let mut d = build(users(), Some("git-email-account, git-email"), false, false);
    // The account `jdoe` is looked up as a user name: usermap lines first, as every lookup.
    assert_eq!(pick(&mut d, "x", "jdoe@elsewhere.test"), (Some("jdoe".into()), Via::Usermap));
    let mut d = build(users(), Some("git-user"), false, false);
    assert_eq!(
        pick(&mut d, "bsmith", "nobody@nowhere.test"),
        (Some("bsmith".into()), Via::P4Users)
    );
    // §9.2: unknown entries are skipped, and with none known nothing is looked up.
    assert!(author_sources(Some("bogus")).is_empty());
    assert!(author_sources(Some("Git-Email")).is_empty(), "compared case-sensitively");
    assert!(author_sources(Some("git-user git-email")).is_empty(), "no comma: one entry");
    assert_eq!(author_sources(None), vec![AuthorSource::GitEmail], "unset: git-email");
    let mut d = build(users(), Some("Git-Email"), false, false);
    assert_eq!(pick(&mut d, "Jane", "jane@example.com").1, Via::UnknownGit);
    // With no lookup, an unreadable usermap refuses nothing (§9.8: it is read lazily).
    let broken = parse_usermap("p4gf_usermap", "bob <bob@x.com> \"Bob\"\n");
    let mut d = Directory::new(broken.clone(), users(), author_sources(Some("nope")), false, false);
    assert_eq!(pick(&mut d, "Jane", "jane@example.com").1, Via::UnknownGit);
    let mut d = Directory::new(broken, users(), author_sources(None), false, false);
    let m = d.map("Jane", "jane@example.com");
    assert_eq!(m.via, Via::Unmapped, "a lookup needs the usermap: {}", m.detail);
    assert!(m.detail.contains("Illegal character"), "{}", m.detail);
}

#[test]
fn the_account_is_everything_before_the_first_at() {
    let mut d = build(users(), Some("git-email-account"), false, false);
    assert_eq!(pick(&mut d, "x", "bsmith@a@b.test"), (Some("bsmith".into()), Via::P4Users));
    assert_eq!(pick(&mut d, "x", "bsmith"), (Some("bsmith".into()), Via::P4Users), "no @");
}

#[test]
fn authors_are_mapped_per_address_and_name_pair() {
    // §9.3: the same address with two names, under git-user, gives two answers.
    let mut d = build(users(), Some("git-user"), false, false);
    assert_eq!(pick(&mut d, "bsmith", "shared@example.com").0.as_deref(), Some("bsmith"));
    assert_eq!(pick(&mut d, "jdoe", "shared@example.com").0.as_deref(), Some("jdoe"));
}

#[test]
fn an_earlier_hit_in_the_same_push_is_found_before_p4_users() {
    // §9.4: two users share an address; `first` comes first in `p4 users`. A lookup by name
    // that hits `second` puts it on Git Fusion's list, so a later lookup by address finds it.
    let shared = vec![
        user("first", "team@example.com", "standard"),
        user("second", "team@example.com", "standard"),
        user("unknown_git", "u@x", "standard"),
    ];
    let fresh = build(shared.clone(), Some("git-user, git-email"), false, false)
        .map("nobody", "team@example.com");
    assert_eq!(fresh.p4_user.as_deref(), Some("first"));
    let mut d = build(shared, Some("git-user, git-email"), false, false);
    assert_eq!(pick(&mut d, "second", "other@example.com").0.as_deref(), Some("second"));
    assert_eq!(pick(&mut d, "nobody", "team@example.com").0.as_deref(), Some("second"));
}

#[test]
fn the_address_is_read_as_git_fusions_fast_export_parser_splits_it() {
    // §9.10: the address runs to the next blank.
    assert_eq!(git_fusion_ident("Peggy", "peggy x@example.com"), ("Peggy".into(), "peggy".into()));
    assert_eq!(
        git_fusion_ident("Jane Doe", "jane@example.com"),
        ("Jane Doe".into(), "jane@example.com".into())
    );
    let mut d = directory();
    assert_eq!(pick(&mut d, "Jane", "x jane@example.com").1, Via::UnknownGit);
}

#[test]
fn user_names_fold_case_only_on_a_case_insensitive_server() {
    let mut d = build(users(), Some("git-user"), false, false);
    assert_eq!(pick(&mut d, "carol", "c@nowhere.test").1, Via::UnknownGit, "case-sensitive server");
    // Git Fusion folds the names it reads, and names the folded user as the owner.
    let mut d = build(users(), Some("git-user"), false, true);
    assert_eq!(pick(&mut d, "CAROL", "c@nowhere.test"), (Some("carol".into()), Via::P4Users));
}

/// A deterministic stream of choices (xorshift), so that a failing case can be found again.
pub(crate) struct Choices(pub(crate) u64);

impl Choices {
    pub(crate) fn pick<'a, T>(&mut self, from: &'a [T]) -> &'a T {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        &from[(self.0 % from.len() as u64) as usize]
    }
}

/// One generated case: users, usermap, settings and the authors of a push, in order.
pub(crate) fn generated_case(c: &mut Choices) -> serde_json::Value {
    const NAMES: &[&str] = &[
        "jdoe", "JDoe", "bsmith", "carol", "Carol", "straße", "STRASSE", "team", "svc", "judy",
        "Judy",
    ];
    const ADDRESSES: &[&str] = &[
        "jane@example.com",
        "JANE@Example.com",
        "bob@corp.example.com",
        "bob@dhcp.corp.example.com",
        "team@example.com",
        "éva@example.com",
        "ÉVA@EXAMPLE.COM",
        "bsmith",
        "peggy x@example.com",
        "jdoe@a@b.example.com",
        // Letter-case variants of one address: Git Fusion caches its answer per exact
        // (address, name) pair while its lookups fold case (docs/git-fusion.md).
        "Judy@Example.com",
        "judy@example.com",
        "JUDY@EXAMPLE.COM",
    ];
    const TYPES: &[&str] = &["standard", "standard", "standard", "service", "operator"];
    let mut users: Vec<serde_json::Value> = (0..1 + c.0 % 6)
        .map(|_| {
            let (user, email, kind) = (c.pick(NAMES), c.pick(ADDRESSES), c.pick(TYPES));
            serde_json::json!({"User": user, "Email": email, "FullName": user, "Type": kind})
        })
        .collect();
    // Perforce user names are unique (letter case aside on a case-insensitive server): a
    // later spec with a taken name is left out, as `p4 user` could never create it.
    let folding = *c.pick(&[true, false]);
    let key = |u: &serde_json::Value| {
        let name = u["User"].as_str().unwrap_or("").to_string();
        if folding {
            name.to_lowercase()
        } else {
            name
        }
    };
    let mut taken = std::collections::HashSet::new();
    users.retain(|u| taken.insert(key(u)));
    if *c.pick(&[true, false]) {
        // Two users sharing an address: where earlier hits of the push change answers (§9.4).
        for user in ["carol", "bsmith"] {
            let email = "team@example.com";
            let spec = serde_json::json!({"User": user, "Email": email, "FullName": user, "Type": "standard"});
            if taken.insert(key(&spec)) {
                users.push(spec);
            }
        }
    }
    if *c.pick(&[true, true, true, false]) {
        let kind = c.pick(&["standard", "standard", "service"]);
        users.push(serde_json::json!({"User": "unknown_git", "Email": "u@h", "FullName": "U", "Type": kind}));
    }
    let usermap_lines = [
        "jdoe jane@example.com \"Jane Doe\"",
        "JDoe team@example.com Team",
        "ghost bob@example.com \"Gone\"",
        "svc team@example.com \"Service\"",
        "git-fusion-user jane@example.com \"GF\"",
        "Git-Fusion-User team@example.com \"GF\"",
        "   # carol jane@example.com \"commented\"",
        "carol éva@example.com \"Éva\"",
        "bsmith jane@example.com",
        "bad <jane@example.com> \"Bad\"",
    ];
    let usermap: Vec<&str> = (0..c.0 % 5).map(|_| *c.pick(&usermap_lines)).collect();
    let sources: &[Option<&str>] = &[
        None,
        Some("git-email"),
        Some("git-email-account"),
        Some("git-user"),
        Some("git-user, git-email"),
        Some("git-email-account,git-email"),
        Some("Git-Email"),
        Some("git-user git-email"),
        Some("bogus, git-user"),
    ];
    let email_case: &[Option<&str>] = &[None, Some("no"), Some("yes"), Some("none"), Some("")];
    let authors: &[&str] = &[
        "Jane Doe",
        "jdoe",
        "bsmith",
        "bsmith",
        "Carol",
        "carol",
        "straße",
        "Nobody",
        "Nobody",
        "judy",
        "Judy",
        "JUDY",
        "Judy Smith",
    ];
    let commits: Vec<(&str, &str)> =
        (0..1 + c.0 % 6).map(|_| (*c.pick(authors), *c.pick(ADDRESSES))).collect();
    serde_json::json!({
        "users": users,
        "usermap": (!usermap.is_empty()).then(|| usermap.join("\n") + "\n"),
        "author_source": c.pick(sources),
        "email_case": c.pick(email_case),
        "folding": folding,
        "commits": commits,
    })
}

/// gfbridge's owners for a generated case, in commit order (`None`: the push is refused).
fn predicted_owners(case: &serde_json::Value) -> Vec<Option<String>> {
    let text = |v: &serde_json::Value| v.as_str().map(str::to_string);
    let users: Vec<P4User> = case["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| {
            user(
                u["User"].as_str().unwrap(),
                u["Email"].as_str().unwrap(),
                u["Type"].as_str().unwrap(),
            )
        })
        .collect();
    let usermap = parse_usermap("p4gf_usermap", &text(&case["usermap"]).unwrap_or_default());
    // The values as the cascade hands them over: `none` and empty mean unset.
    let source =
        text(&case["author_source"]).filter(|v| !v.is_empty() && v.to_lowercase() != "none");
    let email_case = text(&case["email_case"]);
    let sensitive = email_case
        .is_some_and(|v| gfbridge::fusion::p4gf_config::boolean(&v).unwrap_or(!v.is_empty()));
    let folding = case["folding"].as_bool().expect("folding");
    let mut d =
        Directory::new(usermap, users, author_sources(source.as_deref()), sensitive, folding);
    case["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .map(|c| d.map(c[0].as_str().unwrap(), c[1].as_str().unwrap()).p4_user)
        .collect()
}

/// Two independent readings of Git Fusion's author rules (docs/git-fusion.md) — gfbridge's
/// and the Git Fusion stand-in's — give the same owner for every commit of generated cases (odd settings,
/// service users, shared addresses, case folding, order effects). More cases with
/// GFBRIDGE_AUTHOR_CASES.
#[test]
fn gfbridge_and_the_stand_in_agree_on_every_owner_of_generated_cases() {
    let count =
        std::env::var("GFBRIDGE_AUTHOR_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(500);
    let mut choices = Choices(0x2545_F491_4F6C_DD1D);
    let cases: Vec<serde_json::Value> = (0..count).map(|_| generated_case(&mut choices)).collect();
    let theirs: Vec<Vec<Option<String>>> =
        serde_json::from_value(crate::harness::python_json("stand_in_authors.py", &cases))
            .expect("owners");
    let mut disagreements = Vec::new();
    let mut commits = 0;
    for (case, stand_in) in cases.iter().zip(&theirs) {
        let ours = predicted_owners(case);
        commits += ours.len();
        if ours != *stand_in {
            disagreements.push(format!("{case}\n  stand-in: {stand_in:?}\n  gfbridge: {ours:?}"));
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {count} cases ({commits} commits) differ:\n{}",
        disagreements.len(),
        disagreements.iter().take(5).cloned().collect::<Vec<_>>().join("\n")
    );
}
