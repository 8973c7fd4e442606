//! Git Fusion's rules as gfbridge must predict them (docs/git-fusion.md): its configuration files
//! and how their values cascade. Pure: callers supply the files' text; `p4` calls live
//! elsewhere.

pub mod authors;
pub mod confirm;
pub mod facts;
pub mod ini;
pub mod lfs;
pub mod p4;
pub mod p4gf_config;
pub mod permissions;
pub mod preflight;
pub mod protects;
pub mod tags;
pub mod users;
pub mod view;
