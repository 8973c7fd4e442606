//! The pre-receive hook of docs/hook.md, installed on the repository users push to: Git Fusion
//! (the upstream) accepts a push to a mirrored branch first, or nobody does.
//!
//! `update` holds the pure per-ref decision, `pre_receive` the effects around it (reading the
//! quarantined objects, the preflight, the one proxied push) and `install` writes the hook
//! file. Must not touch the workspace's cache, lock or journal: the hook runs on the server
//! that receives pushes, beside (not inside) the bridge's own runs.

pub mod install;
mod pre_receive;
pub mod update;

pub use pre_receive::{pre_receive, HookError, HookResult};
