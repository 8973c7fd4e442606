//! `git log --raw -z` records as the preflight's stream reader reads them.
#![no_main]

use gfbridge::git::log::next_commit;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut input = std::io::Cursor::new(data);
    // Each call consumes input or ends; a bounded loop guards against a reader that would not.
    for _ in 0..=data.len() {
        match next_commit(&mut input) {
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
});
