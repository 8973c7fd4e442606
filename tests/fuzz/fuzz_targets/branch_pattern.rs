//! Branch patterns (GitLab's wildcard rule): any pattern and name, no panic, and a pattern
//! without `*` matches only itself.
#![no_main]

use gfbridge::config::pattern::BranchPattern;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (pattern, name) = text.split_once('\n').unwrap_or((&text, ""));
    if let Ok(p) = BranchPattern::new(pattern) {
        let matched = p.matches(name);
        if !pattern.contains('*') {
            assert_eq!(matched, pattern == name);
        }
        if pattern.chars().all(|c| c == '*') {
            assert!(matched);
        }
    }
});
