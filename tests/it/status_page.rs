//! The service's status page (docs/operations.md): `GET /` for people (checked in a real headless
//! Chromium), `GET /api/status` for programs, local state only, behind an optional token.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::harness::*;
use crate::serve::{service_world, Service, SECRET};

const TOKEN: &str = "dashboard-t0ken-value";

/// A service world whose `release/1.0` diverged (attention) and whose main is in sync.
fn world_with_trouble() -> World {
    let w = service_world();
    w.seed("main");
    w.diverge("release/1.0");
    w
}

/// Returns `doc` without the field that differs between two reads a moment apart.
fn without_time(mut doc: Value) -> Value {
    doc.as_object_mut().expect("object").remove("generated_at");
    doc
}

#[test]
fn api_status_is_the_status_json_of_every_workspace() {
    let w = world_with_trouble();
    let service = Service::start(&w);
    service.await_idle(1.0);
    let (code, body) = service.get("/api/status");
    assert_eq!(code, 200, "{body}");
    let api: Value = serde_json::from_str(&body).expect("json");
    crate::schema::assert_valid("status", &api);
    let cli = w.gfbridge(&["status", "--format", "json"]);
    assert_eq!(without_time(api), without_time(cli.json()));
}

#[test]
fn the_page_lists_each_workspace_and_what_needs_attention_since_when() {
    let w = world_with_trouble();
    let service = Service::start(&w);
    service.await_idle(1.0);
    let (code, page) = service.get("/");
    assert_eq!(code, 200);
    assert!(page.starts_with("<!DOCTYPE html>"), "{page}");
    assert!(
        page.contains("widgets") && page.contains("release/1.0</code> diverged since"),
        "{page}"
    );
    assert!(page.contains("http-equiv=\"refresh\""), "it refreshes itself without JavaScript");
    assert!(!page.contains("<script"), "no JavaScript");
    assert!(!page.contains(SECRET), "no secret");
}

#[test]
fn with_a_dashboard_token_the_page_and_api_answer_401_without_it() {
    let w = world_with_trouble();
    let config = std::fs::read_to_string(w.path("gfbridge.toml")).expect("config");
    w.write_config(&format!("[serve]\ndashboard_token_env = \"GFB_DASHBOARD\"\n{config}"));
    let missing = w.gfbridge(&["serve", "--listen", "127.0.0.1:0"]);
    assert_eq!(missing.code, 2, "an unset token variable is refused at start: {missing}");
    assert!(missing.stderr.contains("GFB_DASHBOARD"), "{missing}");
    let service = Service::start_with_env(&w, &[("GFB_DASHBOARD", TOKEN)]);
    let bearer = format!("Bearer {TOKEN}");
    for path in ["/", "/api/status"] {
        assert_eq!(service.get(path).0, 401, "{path} without the token");
        assert_eq!(service.get_with(path, &[("Authorization", "Bearer wrong")]).0, 401);
        assert_eq!(service.get_with(path, &[("Authorization", TOKEN)]).0, 401, "not Bearer");
        let (code, body) = service.get_with(path, &[("Authorization", &bearer)]);
        assert_eq!(code, 200, "{path}: {body}");
        assert!(!body.contains(TOKEN) && !body.contains(SECRET), "{path} shows no secret");
    }
    assert_eq!(service.get("/healthz").0, 200, "health needs no token");
}

/// Returns Debian's Chromium, which scripts/setup.sh installs.
fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

#[test]
fn a_real_browser_shows_every_workspace_and_attention_ref() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "Chromium is missing: scripts/setup.sh installs it (Debian's package `chromium`)"
        );
        eprintln!("skipped: Chromium is not installed here (scripts/setup.sh installs it)");
        return;
    };
    let w = world_with_trouble();
    let service = Service::start(&w);
    service.await_idle(1.0);
    let profile = w.path("chromium-profile");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("{}/", service.base()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // What the browser built from the page, not the page's text: the table rows exist.
    assert!(dom.contains("id=\"ws-widgets\""), "{dom}");
    assert!(dom.contains("release/1.0"), "the attention ref is shown: {dom}");
    assert!(dom.contains("needs attention"), "{dom}");
}
