//! GitLab webhook bodies as `serve` routes them.
#![no_main]

use std::sync::OnceLock;

use gfbridge::config::Config;
use gfbridge::serve::webhook::route;
use libfuzzer_sys::fuzz_target;

const CONFIG: &str = r#"
[gitlab]
url = "https://gitlab.example.com"
bridge_username = "gfbridge"

[[workspace]]
name = "widgets"
gitlab_project = "acme/widgets"
gitlab_remote = "gitlab.git"
fusion_remote = "fusion.git"
fusion_repo = "acme/widgets"
branches = ["main", "release/*"]

[[workspace]]
name = "byid"
gitlab_project = "42"
gitlab_remote = "gitlab.git"
fusion_remote = "fusion.git"
fusion_repo = "acme/byid"
branches = ["*"]
tags = ["v*"]
protected_from = "config"
"#;

fn config() -> &'static Config {
    static CELL: OnceLock<Config> = OnceLock::new();
    CELL.get_or_init(|| {
        Config::parse(std::path::Path::new("/fuzz/gfbridge.toml"), CONFIG).expect("valid config")
    })
}

fuzz_target!(|data: &[u8]| {
    for event in [Some("Push Hook"), Some("Tag Push Hook"), None] {
        let _ = route(config(), event, data);
    }
});
