//! `gfbridge.toml`: any text loads or is refused with an error; it never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = gfbridge::config::Config::parse(std::path::Path::new("/fuzz/gfbridge.toml"), &text);
});
