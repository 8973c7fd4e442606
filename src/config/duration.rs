//! Durations written with a unit, as the config file spells them (`"90s"`, `"5m"`, `"1h"`,
//! `"1h30m"`), read with jiff's friendly format and held to a sane range per setting, so that
//! no later arithmetic on them can overflow.

use std::time::Duration;

/// The range a setting accepts.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// The shortest value accepted.
    pub min: Duration,
    /// The longest value accepted.
    pub max: Duration,
}

impl Bounds {
    /// `push_confirm_timeout`: zero (do not wait) up to an hour.
    pub const CONFIRM: Bounds = Bounds { min: Duration::ZERO, max: Duration::from_secs(3600) };
    /// `[gitlab] timeout`: one HTTP request, 100 ms to 10 minutes.
    pub const HTTP: Bounds =
        Bounds { min: Duration::from_millis(100), max: Duration::from_secs(600) };
    /// `interval`: `serve`'s poll period, 10 s (never back to back) to a day.
    pub const INTERVAL: Bounds =
        Bounds { min: Duration::from_secs(10), max: Duration::from_secs(86_400) };
}

/// Returns the duration `text` names within `bounds`, or a description of what is wrong.
pub fn parse(text: &str, bounds: Bounds) -> Result<Duration, String> {
    let signed: jiff::SignedDuration = text.trim().parse().map_err(|_| {
        format!("`{text}` is not a duration: write a number and a unit (ms, s, m, h), like \"90s\"")
    })?;
    let value = Duration::try_from(signed).map_err(|_| format!("`{text}` is negative"))?;
    if value < bounds.min || value > bounds.max {
        return Err(format!(
            "`{text}` is out of range: use {} to {}",
            show(bounds.min),
            show(bounds.max)
        ));
    }
    Ok(value)
}

/// Returns `d` in the unit a person would write it in.
fn show(d: Duration) -> String {
    match d.as_millis() {
        ms if ms % 3_600_000 == 0 && ms > 0 => format!("{}h", ms / 3_600_000),
        ms if ms % 60_000 == 0 && ms > 0 => format!("{}m", ms / 60_000),
        ms if ms % 1000 == 0 => format!("{}s", ms / 1000),
        ms => format!("{ms}ms"),
    }
}
