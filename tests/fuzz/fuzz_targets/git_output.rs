//! What git prints: `push --porcelain` output, remote messages (Git Fusion's push id),
//! `ls-remote` listings and progress meters.
#![no_main]

use gfbridge::git::porcelain::{fusion_push_id, parse_push, remote_messages};
use gfbridge::git::remote::parse_ls_remote;
use gfbridge::git::runner::progress_counts;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = parse_push(&text);
    let _ = fusion_push_id(&text);
    let _ = remote_messages(&text);
    let _ = parse_ls_remote(&text);
    for fragment in text.split(['\r', '\n']) {
        let _ = progress_counts(fragment);
    }
});
