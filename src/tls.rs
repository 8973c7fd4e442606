//! The TLS crypto provider every HTTPS client of the process uses (rustls with ring),
//! installed once before the first client is built.
//!
//! Must not build clients or choose their settings.

use std::sync::Once;

/// Installs the process's crypto provider, once; later calls do nothing. Every HTTPS client
/// (GitLab's API, the LFS servers, the tests' own) is built after it.
pub fn install_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // An error means a provider is installed already: the one wanted, or one the
        // embedding program chose.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
