//! Git Fusion's rules as gfbridge must predict them (docs/git-fusion.md): its configuration files
//! and how their values cascade, authors, views, protections, LFS and tags, and the preflight
//! over a stream of commits. Pure: callers supply the facts and the commits; the `p4` calls
//! and gathering the facts are `perforce`, reading commits is `git`.

pub mod authors;
pub mod confirm;
pub mod facts;
pub mod ini;
pub mod lfs;
pub mod objects;
pub mod p4gf_config;
pub mod permissions;
pub mod preflight;
pub mod protects;
pub mod tags;
pub mod users;
pub mod view;
