//! gfbridge: keeps the protected branches of a GitLab project and a Perforce Helix Git Fusion
//! repository in step, fast-forward only, never rewriting either side.
//!
//! The decision for a branch is pure (`plan`); effects live at the edges (`git`, `cache`,
//! `state`); `sync` ties them together and `output` prints results. What each command does for its users is in docs/.

pub mod about;
pub mod attribution;
pub mod audit;
pub mod cache;
pub mod check_id;
pub mod checks;
pub mod cli;
pub mod commits;
pub mod config;
pub mod credentials;
pub mod cutover;
pub mod discover;
pub mod errors;
pub mod exit;
pub mod files;
pub mod fusion;
pub mod git;
pub mod gitlab;
pub mod hook;
pub mod interrupt;
pub mod lfs;
pub mod oid;
pub mod outcome;
pub mod output;
pub mod perforce;
pub mod plan;
pub mod progress;
pub mod reason;
pub mod refname;
pub mod report;
pub mod serve;
pub mod state;
pub mod status;
pub mod sync;
pub mod tags;
pub mod tls;
