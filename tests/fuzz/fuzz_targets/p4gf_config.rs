//! Git Fusion's `p4gf_config` (configparser semantics) and the cascade read from it.
#![no_main]

use gfbridge::fusion::p4gf_config::{FusionConfig, IniFile};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(ini) = IniFile::parse("p4gf_config", &text) {
        let config =
            FusionConfig { global: ini.clone(), repo: Some(ini.clone()), lightweight: Some(ini) };
        let _ = config.change_owner();
        let _ = config.branches();
        let _ = config.lightweight_branches();
        let _ = config.truthy(gfbridge::fusion::p4gf_config::settings::EMAIL_CASE_SENSITIVITY);
        for section in config.branches() {
            if let Some(view) = section.view.as_deref() {
                if let Ok(view) = gfbridge::fusion::view::View::parse(view) {
                    let _ = view.depot_path("a/b%c@d.txt");
                }
            }
        }
        let _ = config.ignored_repo_sections();
    }
});
