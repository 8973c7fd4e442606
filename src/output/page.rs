//! The status page `serve` answers on `GET /` (docs/operations.md): every workspace on one
//! screen — ready, or what needs attention and since when; the last run and its exit code; the
//! last success; remembered pushes; retired; running now. Plain HTML from a compiled template
//! (maud escapes every value), readable without JavaScript, refreshing itself every 10 s.
//!
//! Must not read anything itself: `status` gathers from local files.

use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::state::pushes::PushState;
use crate::status::WorkspaceStatus;

/// How often the page reloads itself, in seconds.
const REFRESH_SECS: u32 = 10;

const STYLE: &str = "
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #1b1b1b; }
h1 { font-size: 1.4em; margin: 0 0 .2em; }
p.summary { margin: 0 0 1em; color: #444; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .35em .6em; border-bottom: 1px solid #ddd; }
thead th { position: sticky; top: 0; background: #f4f4f4; }
.ready { color: #176f2c; font-weight: 600; }
.attention { color: #a4000f; font-weight: 600; }
.retired { color: #555; font-weight: 600; }
.running { color: #0b4f9c; }
ul { margin: 0; padding-left: 1.1em; }
code { font-size: .95em; }
";

/// What one row says of its workspace, in the order rows are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum State {
    /// Something needs a person.
    Attention,
    /// In step (as of its last run).
    Ready,
    /// A cutover retired it.
    Retired,
}

fn state(s: &WorkspaceStatus) -> State {
    if s.retired.is_some() {
        State::Retired
    } else if s.exit().code() != 0 || s.error.is_some() {
        State::Attention
    } else {
        State::Ready
    }
}

/// Returns the page for `statuses`, made at `generated_at`: workspaces that need attention
/// first, each group by name.
pub fn render(statuses: &[WorkspaceStatus], generated_at: &str) -> String {
    let mut rows: Vec<(State, &WorkspaceStatus)> = statuses.iter().map(|s| (state(s), s)).collect();
    rows.sort_by(|a, b| (a.0, &a.1.name).cmp(&(b.0, &b.1.name)));
    let count = |wanted: State| rows.iter().filter(|(st, _)| *st == wanted).count();
    let running = statuses.iter().filter(|s| s.running).count();
    let page: Markup = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta http-equiv="refresh" content=(REFRESH_SECS);
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "gfbridge: " (statuses.len()) " workspace(s), " (count(State::Attention)) " need attention" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { "gfbridge" }
                p.summary {
                    (statuses.len()) " workspace(s): "
                    span.attention { (count(State::Attention)) " need attention" } ", "
                    span.ready { (count(State::Ready)) " ready" } ", "
                    span.retired { (count(State::Retired)) " retired" } ", "
                    span.running { (running) " running now" }
                    " · from local state at " (generated_at) " · refreshes every " (REFRESH_SECS) " s"
                }
                table {
                    thead { tr {
                        th { "workspace" } th { "state" } th { "needs attention (since)" }
                        th { "last run" } th { "exit" } th { "last success" } th { "remembered pushes" }
                    } }
                    tbody {
                        @for (st, s) in &rows { (row(*st, s)) }
                    }
                }
            }
        }
    };
    page.into_string()
}

fn row(st: State, s: &WorkspaceStatus) -> Markup {
    html! {
        tr id={ "ws-" (s.name) } {
            td { code { (s.name) } }
            td {
                @match st {
                    State::Attention => span.attention { "needs attention" },
                    State::Ready => span.ready { "ready" },
                    State::Retired => span.retired { "retired" },
                }
                @if s.running { br; span.running { "running now" } }
                @if let Some(r) = &s.retired {
                    br; "by cutover at " (r.at) br; "record: " code { (r.record.display()) }
                }
                @if let Some(e) = &s.error { br; "cannot read local state: " (e) }
                @if !s.state_present && s.last_run.is_some() { br; "bases missing" }
            }
            td {
                @if s.attention.is_empty() { "—" } @else {
                    ul { @for a in &s.attention {
                        li { code { (a.ref_name) } " " (a.action) " since " (a.since) }
                    } }
                }
            }
            td { @match &s.last_run { Some(r) => (r.time), None => "none recorded" } }
            td { @match &s.last_run { Some(r) => (r.exit_code), None => "—" } }
            td { (s.last_success.as_deref().unwrap_or("never")) }
            td {
                @if s.pushes.is_empty() { "—" } @else {
                    ul { @for p in &s.pushes {
                        li {
                            "push " (p.push_id.map_or_else(|| "?".to_string(), |n| n.to_string()))
                            " of " code { (p.ref_name) } " "
                            (match p.state { PushState::Pending => "pending", PushState::Failed => "failed" })
                            " since " (p.since.as_deref().unwrap_or("an earlier version"))
                        }
                    } }
                }
            }
        }
    }
}
