//! The protections table as Git Fusion reads it (reference git-fusion.md §8.3, §8.0 item 3),
//! and a user's lines selected from the whole table offline (groups, subgroups, hosts).

use gfbridge::fusion::protects::*;

fn table(lines: &[&str]) -> Vec<ProtectLine> {
    parse_protects("protects.jsonl", &(lines.join("\n") + "\n")).expect("table")
}

fn write_map(lines: &[&str]) -> WriteMap {
    WriteMap::new(&table(lines))
}

#[test]
fn inclusions_add_write_only_with_a_writing_mode_and_a_later_read_takes_nothing_away() {
    let map = write_map(&[
        r#"{"perm":"write","host":"*","user":"jdoe","depotFile":"//depot/..."}"#,
        r#"{"perm":"read","host":"*","user":"jdoe","depotFile":"//depot/docs/..."}"#,
        r#"{"perm":"open","host":"*","user":"jdoe","depotFile":"//open/..."}"#,
        r#"{"perm":"=write","host":"*","user":"jdoe","depotFile":"//eq/..."}"#,
        r#"{"perm":"admin","host":"*","user":"jdoe","depotFile":"//admin/..."}"#,
        r#"{"perm":"owner","host":"*","user":"jdoe","depotFile":"//owner/..."}"#,
    ]);
    assert!(map.allows("//depot/src/a.c"));
    assert!(map.allows("//depot/docs/readme"), "a later read line takes nothing away");
    assert!(!map.allows("//open/x"), "open does not grant write");
    assert!(map.allows("//eq/x") && map.allows("//admin/x"));
    assert!(!map.allows("//owner/x"), "unknown modes grant nothing");
    assert!(!map.allows("//elsewhere/x"), "no line, no write");
}

#[test]
fn every_exclusion_removes_write_whatever_its_mode_and_a_later_inclusion_adds_it_back() {
    let map = write_map(&[
        r#"{"perm":"write","host":"*","user":"*","depotFile":"//depot/..."}"#,
        r#"{"perm":"list","host":"*","user":"*","depotFile":"//depot/secret/...","unmap":""}"#,
        r#"{"perm":"=read","host":"*","user":"*","depotFile":"-//depot/eq/..."}"#,
        r#"{"perm":"write","host":"*","user":"*","depotFile":"//depot/secret/open/..."}"#,
    ]);
    assert!(!map.allows("//depot/secret/key"), "a list exclusion removes write");
    assert!(
        !map.allows("//depot/eq/x"),
        "an =read exclusion removes write (Git Fusion is stricter than p4d)"
    );
    assert!(map.allows("//depot/secret/open/x"), "the last matching line decides");
    assert!(map.allows("//depot/src/x"));
}

#[test]
fn offline_a_users_lines_come_through_groups_and_subgroups() {
    let all = table(&[
        r#"{"perm":"write","host":"*","user":"devs","isgroup":"","depotFile":"//depot/..."}"#,
        r#"{"perm":"write","host":"*","user":"bob","depotFile":"//bob/..."}"#,
        r#"{"perm":"write","host":"*","user":"contractor*","depotFile":"//vendor/..."}"#,
    ]);
    let groups = parse_groups(
        "groups.jsonl",
        "{\"group\":\"devs\",\"user\":\"leads\",\"isSubGroup\":\"1\"}\n{\"group\":\"leads\",\"user\":\"jdoe\",\"isSubGroup\":\"0\"}\n",
    )
    .expect("groups");
    assert_eq!(groups.of("jdoe").into_iter().collect::<Vec<_>>(), ["devs", "leads"]);
    let jdoe = WriteMap::new(select(&all, &groups, "jdoe", None).expect("decided"));
    assert!(jdoe.allows("//depot/a") && !jdoe.allows("//bob/a"));
    let outsider = WriteMap::new(select(&all, &groups, "contractor-7", None).expect("decided"));
    assert!(outsider.allows("//vendor/x") && !outsider.allows("//depot/a"), "user wildcards match");
}

#[test]
fn offline_a_host_line_is_decided_only_with_the_host_and_never_guessed() {
    let all = table(&[
        r#"{"perm":"write","host":"*","user":"*","depotFile":"//depot/..."}"#,
        r#"{"perm":"write","host":"10.0.0.*","user":"*","depotFile":"-//depot/secret/...","unmap":""}"#,
    ]);
    let none = Groups::default();
    let undecided = select(&all, &none, "jdoe", None).expect_err("the host is unknown");
    assert_eq!(undecided.len(), 1);
    let inside = WriteMap::new(select(&all, &none, "jdoe", Some("10.0.0.5")).expect("decided"));
    assert!(!inside.allows("//depot/secret/x"));
    let outside = WriteMap::new(select(&all, &none, "jdoe", Some("192.168.1.2")).expect("decided"));
    assert!(outside.allows("//depot/secret/x"));
}

#[test]
fn a_p4_error_record_in_a_table_is_an_error_naming_the_line() {
    let error = parse_protects(
        "protects.jsonl",
        "{\"severity\":\"3\",\"data\":\"You don't have permission\"}\n",
    )
    .expect_err("error record");
    assert!(
        error.to_string().contains("line 1") && error.to_string().contains("permission"),
        "{error}"
    );
}

#[test]
fn the_example_tables_read_as_documented() {
    let root = crate::harness::repo_root().join("p4-fixtures/examples");
    let read = |name: &str| std::fs::read_to_string(root.join(name)).expect(name);
    let all = parse_protects("protects.jsonl", &read("protects.jsonl")).expect("protects");
    let groups = parse_groups("groups.jsonl", &read("groups.jsonl")).expect("groups");
    assert_eq!(groups.of("jdoe").into_iter().collect::<Vec<_>>(), ["contractors", "everyone"]);
    let jdoe = WriteMap::new(select(&all, &groups, "jdoe", Some("10.0.0.9")).expect("decided"));
    assert!(jdoe.allows("//depot/widgets/vendor/lib.c"));
    assert!(jdoe.allows("//depot/widgets/main/docs/a.md"), "a read line takes nothing away");
    assert!(!jdoe.allows("//depot/widgets/main/secret/k"), "the list exclusion from 10.0.0.*");
    let fusion =
        WriteMap::new(select(&all, &groups, "git-fusion-user", Some("10.0.0.1")).expect("decided"));
    assert!(fusion.allows("//.git-fusion/p4gf_config"));
}
