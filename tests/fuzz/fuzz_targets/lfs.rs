//! LFS input from pushed commits: pointer blobs (both tests) and `.gitattributes` lines with a
//! path. No panic; a specification pointer is always a Git Fusion pointer naming the same
//! object; a pattern without wildcards and `/` matches a path ending in itself.
#![no_main]

use gfbridge::lfs::attributes::{path_matches, LfsLines};
use gfbridge::lfs::pointer::{parse_fusion, parse_spec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some(spec) = parse_spec(data) {
        let fusion = parse_fusion(data).expect("a specification pointer is Git Fusion's too");
        assert_eq!(fusion.oid, spec.oid);
    }
    let text = String::from_utf8_lossy(data);
    let (attributes, path) = text.split_once('\0').unwrap_or((&text, "a/b.bin"));
    let _ = LfsLines::parse(attributes.as_bytes());
    for line in attributes.lines().take(8) {
        let pattern = line.split_whitespace().next().unwrap_or("");
        let matched = path_matches(path, pattern);
        let plain = !pattern.is_empty() && !pattern.contains(['*', '?', '[', '/']);
        if plain && (path == pattern || path.ends_with(&format!("/{pattern}"))) {
            assert!(matched, "{pattern} against {path}");
        }
    }
});
