//! Durations written with a unit, as the config file spells them (`"90s"`, `"5m"`, `"1h"`).

use std::time::Duration;

/// Returns the duration `text` names, or a description of what is wrong with it.
pub fn parse(text: &str) -> Result<Duration, String> {
    let digits_end = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (number, unit) = text.split_at(digits_end);
    let value: u64 = number.parse().map_err(|_| {
        format!("`{text}` is not a duration: write a whole number and a unit, like \"90s\"")
    })?;
    let seconds = match unit {
        "ms" => return Ok(Duration::from_millis(value)),
        "s" => value,
        "m" => value * 60,
        "h" => value * 3600,
        _ => return Err(format!("`{text}` has no known unit: use ms, s, m or h, like \"90s\"")),
    };
    Ok(Duration::from_secs(seconds))
}
