//! The pure LFS rules (docs/lfs.md): what a pointer is by the specification and
//! by Git Fusion, and which paths Git Fusion counts as tracked — table-tested, and held to
//! the Git Fusion stand-in's own reading (p4-fixtures/emulator/lfs.py) on the same tables.

use std::collections::BTreeMap;

use gfbridge::lfs::attributes::{is_tracked, path_matches, LfsLines};
use gfbridge::lfs::endpoint_for;
use gfbridge::lfs::pointer::{parse_fusion, parse_spec};
use serde_json::json;

const OID: &str = "4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393";

fn spec_pointer(size: &str) -> String {
    format!("version https://git-lfs.github.com/spec/v1\noid sha256:{OID}\nsize {size}\n")
}

/// (blob, spec pointer?, Git Fusion pointer?)
fn pointer_table() -> Vec<(String, bool, bool)> {
    vec![
        (spec_pointer("12345"), true, true),
        // Extension keys between version and oid are allowed by the specification.
        (format!("version https://git-lfs.github.com/spec/v1\next-0-foo sha256:{OID}\noid sha256:{OID}\nsize 3\n"), true, true),
        // No size: the specification says no; Git Fusion still reads the oid line.
        (format!("version https://git-lfs.github.com/spec/v1\noid sha256:{OID}\n"), false, true),
        // No version line: only Git Fusion's test holds.
        (format!("oid sha256:{OID}\nsize 12\n"), false, true),
        // Upper-case hex is no pointer for either.
        (format!("version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 1\n", OID.to_uppercase()), false, false),
        // No final newline: not the specification's.
        (spec_pointer("7").trim_end().to_string(), false, true),
        // An oid line inside ordinary text up to 3000 bytes: Git Fusion refuses it as a pointer.
        (format!("notes\nsee oid sha256:{OID} for details\n"), false, true),
        // Too long for Git Fusion.
        (format!("{}\noid sha256:{OID}\n", "x".repeat(3000)), false, false),
        // A negative size is no size.
        (spec_pointer("-1"), false, true),
        ("just a file\n".to_string(), false, false),
        (String::new(), false, false),
    ]
}

#[test]
fn pointers_are_told_apart_by_the_specification_and_by_git_fusion() {
    for (blob, spec, fusion) in pointer_table() {
        assert_eq!(parse_spec(blob.as_bytes()).is_some(), spec, "spec test of {blob:?}");
        assert_eq!(parse_fusion(blob.as_bytes()).is_some(), fusion, "Git Fusion test of {blob:?}");
    }
    let pointer = parse_spec(spec_pointer("12345").as_bytes()).expect("a pointer");
    assert_eq!((pointer.oid.to_string().as_str(), pointer.size), (OID, 12345));
    let fusion =
        parse_fusion(format!("oid sha256:{OID}\n").as_bytes()).expect("Git Fusion's pointer");
    assert_eq!((fusion.oid.to_string(), fusion.size), (OID.to_string(), None));
}

/// (path, pattern, matches) — Git Fusion's differences from git (docs/lfs.md), one row each.
const PATTERNS: &[(&str, &str, bool)] = &[
    ("art/hero.psd", "*.psd", true), // no `/`: any trailing part, `*` crosses `/`
    ("hero.psd", "*.psd", true),
    ("art/x/hero.psd", "art*.psd", true), // `*` crosses `/` without a `/` in the pattern
    ("art/hero.psd", "hero.psd", true),
    ("art/hero.psd", "ero.psd", false), // a trailing part starts after a `/`
    ("art/hero.psd", "art/*.psd", true), // with `/`: the whole path, `*` within a directory
    ("art/x/hero.psd", "art/*.psd", false),
    ("art/x/hero.psd", "art/**/*.psd", true), // `**` crosses directories
    ("sub/art/hero.psd", "art/*.psd", false), // matched against the whole repo path
    ("art/hero.psd", "/art/*.psd", false),    // a leading `/` never matches
    ("art/hero.psd", "art/", false),          // a directory pattern never matches
    ("art/hero.psd", "*.ps?", true),
    ("art/hero.psd", "*.[pq]sd", true),
    ("art/hero.psd", "*.[!p]sd", false),
];

#[test]
fn gitattributes_patterns_match_as_git_fusion_matches_them() {
    for (path, pattern, expected) in PATTERNS {
        assert_eq!(path_matches(path, pattern), *expected, "{pattern} against {path}");
    }
}

/// (path, {dir: .gitattributes}, tracked)
fn tracking_table() -> Vec<(&'static str, BTreeMap<&'static str, &'static str>, bool)> {
    let files =
        |pairs: &[(&'static str, &'static str)]| pairs.iter().copied().collect::<BTreeMap<_, _>>();
    vec![
        ("art/hero.psd", files(&[("", "*.psd filter=lfs diff=lfs merge=lfs -text\n")]), true),
        ("art/hero.psd", files(&[]), false),
        // The file's own directory decides before its parents.
        (
            "art/hero.psd",
            files(&[("", "*.psd filter=lfs\n"), ("art", "*.psd -filter=lfs\n")]),
            false,
        ),
        (
            "art/hero.psd",
            files(&[("", "*.psd -filter=lfs\n"), ("art", "*.psd filter=lfs\n")]),
            true,
        ),
        // A directory without a matching line passes the question up.
        ("art/hero.psd", files(&[("", "*.psd filter=lfs\n"), ("art", "*.png filter=lfs\n")]), true),
        // Within a file the last matching line wins.
        ("a.bin", files(&[("", "*.bin filter=lfs\na.bin -filter=lfs\n")]), false),
        ("a.bin", files(&[("", "a.bin -filter=lfs\n*.bin filter=lfs\n")]), true),
        // Within a line the last filter element wins.
        ("a.bin", files(&[("", "*.bin filter=lfs -filter=lfs\n")]), false),
        // Comments and lines without a filter are skipped; the pattern alone is no element.
        ("a.bin", files(&[("", "# *.bin filter=lfs\n*.bin text\n")]), false),
        ("filter=lfs", files(&[("", "filter=lfs\n")]), false),
        // A nested file's pattern with `/` is still matched against the whole path.
        ("art/x/hero.psd", files(&[("art", "x/*.psd filter=lfs\n")]), false),
        ("art/x/hero.psd", files(&[("art", "art/x/*.psd filter=lfs\n")]), true),
    ]
}

#[test]
fn a_path_is_tracked_as_git_fusion_decides_it() {
    for (path, files, expected) in tracking_table() {
        let tracked = is_tracked(path, |dir| {
            files.get(dir).map(|t| LfsLines::parse(t.as_bytes())).unwrap_or_default()
        });
        assert_eq!(tracked, expected, "{path} with {files:?}");
    }
}

#[test]
fn gfbridge_and_the_stand_in_read_pointers_and_tracking_alike() {
    let pointers: Vec<String> = pointer_table().into_iter().map(|(blob, _, _)| blob).collect();
    let mut tracked: Vec<serde_json::Value> = tracking_table()
        .into_iter()
        .map(|(path, files, _)| json!({"path": path, "attributes": files}))
        .collect();
    tracked.extend(PATTERNS.iter().map(|(path, pattern, _)| {
        json!({"path": path, "attributes": {"": format!("{pattern} filter=lfs\n")}})
    }));
    let theirs = crate::harness::python_json(
        "stand_in_lfs.py",
        &json!({"pointers": pointers, "tracked": tracked}),
    );
    for (blob, stand_in) in pointers.iter().zip(theirs["pointers"].as_array().expect("list")) {
        let ours = parse_fusion(blob.as_bytes()).map(|p| p.oid.to_string());
        assert_eq!(ours.as_deref(), stand_in.as_str(), "pointer {blob:?}");
    }
    for (case, stand_in) in tracked.iter().zip(theirs["tracked"].as_array().expect("list")) {
        let files: BTreeMap<String, String> =
            serde_json::from_value(case["attributes"].clone()).expect("map");
        let path = case["path"].as_str().expect("path");
        let ours = is_tracked(path, |dir| {
            files.get(dir).map(|t| LfsLines::parse(t.as_bytes())).unwrap_or_default()
        });
        assert_eq!(Some(ours), stand_in.as_bool(), "tracking of {case}");
    }
}

#[test]
fn lfs_endpoints_follow_the_git_lfs_convention_unless_configured() {
    let remote =
        |url: &str| gfbridge::git::RemoteUrl::parse(url, std::path::Path::new("/")).expect("url");
    let url = |r: &str, explicit: Option<&str>| endpoint_for(&remote(r), explicit).map(|e| e.url);
    assert_eq!(
        url("https://gitlab.example.com/acme/widgets.git", None).as_deref(),
        Some("https://gitlab.example.com/acme/widgets.git/info/lfs")
    );
    assert_eq!(
        url("https://gf.example.com/acme_0xS_widgets", None).as_deref(),
        Some("https://gf.example.com/acme_0xS_widgets.git/info/lfs")
    );
    assert_eq!(
        url("git@gitlab.example.com:acme/widgets.git", None),
        None,
        "ssh needs an explicit URL"
    );
    assert_eq!(
        url("git@gitlab.example.com:acme/widgets.git", Some("https://lfs.example.com/x/info/lfs/"))
            .as_deref(),
        Some("https://lfs.example.com/x/info/lfs")
    );
}

#[test]
fn a_pathological_pattern_from_a_pushed_commit_is_matched_in_linear_time() {
    // A backtracking matcher takes exponential time on this; the preflight must not stall.
    let pattern = "*a".repeat(25) + "*b";
    let path = "a/".repeat(200) + "a";
    let started = std::time::Instant::now();
    assert!(!path_matches(&path, &pattern));
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "took {:?}", started.elapsed());
}

mod verified_reader {
    use std::io::Read;
    use std::sync::Arc;

    use gfbridge::lfs::pointer::parse_spec;
    use gfbridge::lfs::verify::VerifiedReader;

    fn pointer_of(content: &[u8]) -> gfbridge::lfs::pointer::Pointer {
        use sha2::Digest;
        let oid: String =
            sha2::Sha256::digest(content).iter().map(|b| format!("{b:02x}")).collect();
        let text = format!(
            "version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {}\n",
            content.len()
        );
        parse_spec(text.as_bytes()).expect("pointer")
    }

    /// Reads `given` as the object `expected` points at; returns what came through and how it ended.
    fn pass(expected: &[u8], given: &[u8]) -> (Vec<u8>, Option<Result<(), String>>) {
        let (mut reader, verdict) =
            VerifiedReader::new(given, pointer_of(expected), None, Arc::new(|_| {}));
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
        let ended = verdict.lock().expect("lock").clone();
        (out, ended)
    }

    #[test]
    fn the_right_object_comes_through_whole() {
        let object: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let (out, verdict) = pass(&object, &object);
        assert_eq!(out, object);
        assert_eq!(verdict, Some(Ok(())));
    }

    #[test]
    fn a_wrong_object_never_comes_through_whole() {
        let object: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let mut damaged = object.clone();
        damaged[299_999] ^= 1;
        for given in [damaged, object[..200_000].to_vec(), [object.clone(), vec![0]].concat()] {
            let (out, verdict) = pass(&object, &given);
            assert!(
                out.len() < object.len(),
                "{} of {} bytes came through",
                out.len(),
                object.len()
            );
            assert!(matches!(verdict, Some(Err(_))), "{verdict:?}");
        }
    }
}
