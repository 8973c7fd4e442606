//! `p4 users` output (`-Mj` JSON lines or `-ztag` text) and `p4gf_usermap`.
#![no_main]

use gfbridge::fusion::users::{parse_usermap, parse_users};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_users("users", &text);
    let _ = parse_usermap("p4gf_usermap", &text);
});
