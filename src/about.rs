//! What gfbridge says of itself in every document and record it writes: its version.
//!
//! Must not know any document.

/// Returns `gfbridge <version>`, as every JSON document and the cutover record carry it.
pub fn version() -> String {
    format!("gfbridge {}", env!("CARGO_PKG_VERSION"))
}
