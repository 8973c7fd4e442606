//! gfbridge's one integration-test binary (one link on a 2-core machine).

mod authors;
mod check;
mod cli;
mod config;
mod confirm;
mod credentials;
mod deploy;
mod fusion_authors;
mod fusion_config;
mod fusion_protects;
mod fusion_view;
mod gitlab;
mod harness;
mod hook;
mod hook_rules;
mod plan;
mod preflight;
mod progress;
mod pure;
mod race;
mod report;
mod serve;
mod serve_rules;
mod status;
mod sync;
mod sync_safety;
