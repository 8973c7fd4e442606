//! The protections table and groups (`p4 -ztag -Mj protects`, `groups`), a user's lines
//! selected from them, and the write map built from those lines.
#![no_main]

use gfbridge::fusion::protects::{parse_groups, parse_protects, select, WriteMap};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (protects, groups) = text.split_once("\n\n").unwrap_or((&text, ""));
    let Ok(table) = parse_protects("protects", protects) else { return };
    let groups = parse_groups("groups", groups).unwrap_or_default();
    for user in ["jdoe", "git-fusion-user", "*"] {
        if let Ok(lines) = select(&table, &groups, user, Some("10.0.0.5")) {
            let _ = WriteMap::new(lines).allows("//depot/widgets/main/secret/a");
        }
    }
});
