//! Where the write maps of the users Git Fusion checks come from (docs/git-fusion.md): online, one
//! `p4 protects -u <user> -h <host>` per user (needs super); offline, the saved table and
//! groups, from which `protects::select` picks each user's lines. When neither is possible,
//! or a user's lines cannot be decided, the answer says why, and nothing is blocked on it.
//!
//! Owns the choice of source and one answer per user per run; the rules of a line are
//! `protects`. Must not run `p4` itself: the online answers come through `ReadProtects`.

use std::collections::HashMap;
use std::sync::Arc;

use super::protects::{parse_protects, select, Groups, ProtectLine, WriteMap};

/// The user Git Fusion itself submits as; its `clientAddress` is its host.
pub const GIT_FUSION_USER: &str = "git-fusion-user";

/// Reads one user's protections from the server: the output of `p4 -ztag -Mj protects -u <user>
/// -h <host>` (`perforce` answers it; tests may stand in).
pub trait ReadProtects: std::fmt::Debug + Send + Sync {
    /// Returns the table's text, or why it cannot be read.
    fn protects(&self, user: &str, host: &str) -> Result<String, String>;
}

/// How protections can be read for a workspace.
#[derive(Clone, Debug)]
pub enum Source {
    /// They cannot; why, starting "not checked:".
    Unavailable(String),
    /// From saved `protects -a` and `groups` output.
    Offline {
        /// The whole table, in order.
        table: Vec<ProtectLine>,
        /// Group memberships.
        groups: Groups,
        /// The host of gfbridge's connection, if known.
        client_host: Option<String>,
        /// `git-fusion-user`'s host, if known.
        fusion_host: Option<String>,
    },
    /// From the server, per user.
    Online {
        /// The server's answers.
        reader: Arc<dyn ReadProtects>,
        /// The host of gfbridge's connection.
        client_host: String,
        /// `git-fusion-user`'s `clientAddress` from `p4 info`.
        fusion_host: Option<String>,
    },
}

/// One run's answers: each user's write map, or why it cannot be known.
#[derive(Debug)]
pub struct Permissions {
    source: Source,
    answers: HashMap<String, Result<WriteMap, String>>,
}

impl Permissions {
    /// Returns the answers drawn from `source`.
    pub fn new(source: Source) -> Permissions {
        Permissions { source, answers: HashMap::new() }
    }

    /// Returns why protections are not checked at all, if they are not.
    pub fn unavailable(&self) -> Option<&str> {
        match &self.source {
            Source::Unavailable(why) => Some(why),
            _ => None,
        }
    }

    /// Returns `user`'s write map, or why it cannot be known.
    pub fn write_map(&mut self, user: &str) -> Result<&WriteMap, String> {
        if !self.answers.contains_key(user) {
            let answer = self.read(user);
            if let Err(why) = &answer {
                tracing::warn!(user, "protections not checked: {why}");
            }
            self.answers.insert(user.to_string(), answer);
        }
        self.answers[user].as_ref().map_err(Clone::clone)
    }

    fn read(&self, user: &str) -> Result<WriteMap, String> {
        let fusion = user == GIT_FUSION_USER;
        match &self.source {
            Source::Unavailable(why) => Err(why.clone()),
            Source::Offline { table, groups, client_host, fusion_host } => {
                let host = if fusion { fusion_host } else { client_host };
                select(table, groups, user, host.as_deref()).map(WriteMap::new).map_err(|lines| {
                    let lines: Vec<String> =
                        lines.iter().map(|l| format!("{} {} {}", l.perm, l.host, l.depot_file)).collect();
                    format!(
                        "lines for {user} name a host gfbridge cannot match (set client_host / fusion_host): {}",
                        lines.join("; ")
                    )
                })
            }
            Source::Online { reader, client_host, fusion_host } => {
                let host = match (fusion, fusion_host) {
                    (true, Some(host)) => host,
                    (true, None) => {
                        return Err("p4 info shows no clientAddress for git-fusion-user".into())
                    }
                    (false, _) => client_host,
                };
                let text = reader.protects(user, host)?;
                let lines = parse_protects("p4 protects", &text).map_err(|e| e.to_string())?;
                Ok(WriteMap::new(&lines))
            }
        }
    }
}
