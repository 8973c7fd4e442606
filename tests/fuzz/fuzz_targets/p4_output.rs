//! `p4 -ztag -Mj keys` and `info` output, and judging Git Fusion's status keys from it.
#![no_main]

use gfbridge::fusion::confirm::{judge, judge_wait_output};
use gfbridge::perforce::{parse_info, parse_keys};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let keys = parse_keys(&text);
    let _ = judge(&keys, "acme/widgets", 7);
    let _ = judge(&keys, "acme/widgets", u64::MAX);
    let _ = parse_info(&text);
    let _ = judge_wait_output(&text, 7);
});
