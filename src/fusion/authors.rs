//! Predicting which Perforce user Git Fusion makes the owner of a commit's changelist, as Git
//! Fusion's own code maps authors (docs/git-fusion.md; `p4gf_g2p_user.py` `_git_to_p4_user`,
//! `p4gf_usermap.py` `UserMap`).
//!
//! Pure: the usermap, the users and the settings come in; a `Mapping` per commit comes out.
//! A `Directory` is one push's `UserMap`: it remembers earlier hits and answers per (email,
//! name) pair, so commits must be asked about in the order Git Fusion reads them (oldest
//! first). Attribution in Perforce is permanent: these rules must match Git Fusion's exactly.

use std::collections::HashMap;

use super::users::{P4User, UserType, UsermapLine, UsersError};

/// The Perforce user Git Fusion gives unmapped authors (`p4gf_const.P4GF_UNKNOWN_USER`).
pub use crate::config::UNKNOWN_GIT;

/// The user Git Fusion itself runs as; usermap lines for it are skipped.
const GIT_FUSION_USER: &str = "git-fusion-user";

/// One entry of `[authentication] author-source`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorSource {
    /// The author email, then each shorter domain.
    GitEmail,
    /// The part of the email before the first `@`, as a Perforce user name.
    GitEmailAccount,
    /// The git author name, as a Perforce user name.
    GitUser,
}

/// Returns the sources of an `author-source` value (`None`: unset, `none` or empty, which
/// means `git-email`). Entries are split on commas, trimmed and compared case-sensitively;
/// unknown ones are skipped, and when none is known the list is empty: no source is tried
/// and every author goes to `unknown_git` (docs/git-fusion.md).
pub fn author_sources(value: Option<&str>) -> Vec<AuthorSource> {
    let Some(value) = value else { return vec![AuthorSource::GitEmail] };
    value
        .split(',')
        .filter_map(|s| match s.trim() {
            "git-email" => Some(AuthorSource::GitEmail),
            "git-email-account" => Some(AuthorSource::GitEmailAccount),
            "git-user" => Some(AuthorSource::GitUser),
            _ => None,
        })
        .collect()
}

/// How Git Fusion found (or did not find) the Perforce user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// A `p4gf_usermap` line.
    Usermap,
    /// `p4 users` (or an earlier hit on it in the same push).
    P4Users,
    /// No match; `unknown_git` exists and takes it.
    UnknownGit,
    /// Git Fusion rejects the push: `User '<email>' not permitted to commit`.
    Unmapped,
}

impl Via {
    /// Returns the contract's name (docs/report.md `via`).
    pub fn name(self) -> &'static str {
        match self {
            Via::Usermap => "usermap",
            Via::P4Users => "p4_users",
            Via::UnknownGit => "unknown_git",
            Via::Unmapped => "unmapped",
        }
    }
}

/// Git Fusion's pick for one commit's author.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// The Perforce user, or `None` when the push would be refused.
    pub p4_user: Option<String>,
    /// How it was found.
    pub via: Via,
    /// Why, for people: which key matched where.
    pub detail: String,
    /// The push is refused because Git Fusion cannot read `p4gf_usermap` at all (the fix is
    /// the file, not a user).
    pub usermap_unreadable: bool,
}

/// One row of Git Fusion's in-memory user list: `(p4user, email, fullname)` and where it came
/// from.
#[derive(Clone, Debug)]
struct Entry {
    user: String,
    email: String,
    found: Via,
    line: usize,
}

/// Everything Git Fusion consults to map authors, and what one push has looked up so far.
#[derive(Clone, Debug)]
pub struct Directory {
    /// `p4gf_usermap` as read (an error is raised only when a lookup first needs the file).
    usermap: Result<Vec<UsermapLine>, UsersError>,
    /// `p4 users -a`: every user, with its type.
    all_users: Vec<P4User>,
    /// `p4 users` as Git Fusion runs it (no `-a`: no service or operator users), names folded
    /// on a case-insensitive server.
    p4_users: Vec<Entry>,
    sources: Vec<AuthorSource>,
    email_case_sensitive: bool,
    case_insensitive_server: bool,
    /// The usermap's entries followed by earlier hits on `p4 users` (`UserMap.users`), once a
    /// lookup has read the usermap.
    known: Option<Result<Vec<Entry>, UsersError>>,
    /// Answers per (email, name), as `G2PUser` caches them.
    answers: HashMap<(String, String), Mapping>,
}

impl Directory {
    /// Returns the directory of one push.
    pub fn new(
        usermap: Result<Vec<UsermapLine>, UsersError>,
        users: Vec<P4User>,
        sources: Vec<AuthorSource>,
        email_case_sensitive: bool,
        case_insensitive_server: bool,
    ) -> Directory {
        let p4_users = users
            .iter()
            .filter(|u| u.kind == UserType::Standard)
            .map(|u| Entry {
                user: fold_user(&u.user, case_insensitive_server),
                email: u.email.clone(),
                found: Via::P4Users,
                line: 0,
            })
            .collect();
        Directory {
            usermap,
            all_users: users,
            p4_users,
            sources,
            email_case_sensitive,
            case_insensitive_server,
            known: None,
            answers: HashMap::new(),
        }
    }

    /// Returns whether addresses are compared with their local part's letter case.
    pub fn email_case_sensitive(&self) -> bool {
        self.email_case_sensitive
    }

    /// Returns Git Fusion's pick for the author of one commit, `name <email>` as git stores
    /// them. Ask in the order Git Fusion reads the commits: earlier hits change later answers.
    pub fn map(&mut self, name: &str, email: &str) -> Mapping {
        let (name, email) = git_fusion_ident(name, email);
        let key = (email.clone(), name.clone());
        if let Some(answer) = self.answers.get(&key) {
            return answer.clone();
        }
        let answer = self.lookup_author(&name, &email);
        self.answers.insert(key, answer.clone());
        answer
    }

    fn lookup_author(&mut self, name: &str, email: &str) -> Mapping {
        let refused = |why: String| Mapping {
            p4_user: None,
            via: Via::Unmapped,
            detail: format!("{why}: User '{email}' not permitted to commit"),
            usermap_unreadable: false,
        };
        for source in self.sources.clone() {
            let found = match source {
                AuthorSource::GitEmail => {
                    let mut found = Ok(None);
                    for candidate in email_candidates(email) {
                        found = self.find(Field::Email, &candidate);
                        if !matches!(found, Ok(None)) {
                            break;
                        }
                    }
                    found
                }
                AuthorSource::GitEmailAccount => {
                    let account = email.split_once('@').map_or(email, |(account, _)| account);
                    self.find(Field::User, &fold_user(account, self.case_insensitive_server))
                }
                AuthorSource::GitUser => {
                    self.find(Field::User, &fold_user(name, self.case_insensitive_server))
                }
            };
            match found {
                Err(e) => {
                    let why = format!("Git Fusion cannot read p4gf_usermap ({e})");
                    return Mapping { usermap_unreadable: true, ..refused(why) };
                }
                Ok(None) => {}
                Ok(Some((entry, key))) => {
                    let detail = match entry.found {
                        Via::Usermap => format!("`{key}` matches p4gf_usermap line {}", entry.line),
                        _ => format!("`{key}` matches p4 users"),
                    };
                    if !self.exists(&entry.user) {
                        // A hit on a user Perforce does not have is final: no fallback.
                        return refused(format!(
                            "{detail}, which names `{}`, not a standard Perforce user",
                            entry.user
                        ));
                    }
                    return Mapping {
                        p4_user: Some(entry.user),
                        via: entry.found,
                        detail,
                        usermap_unreadable: false,
                    };
                }
            }
        }
        let tried = if self.sources.is_empty() {
            "author-source names no source Git Fusion knows, so no lookup is made"
        } else {
            "no match"
        };
        match self.p4_users.iter().find(|e| e.user == UNKNOWN_GIT) {
            Some(_) => Mapping {
                p4_user: Some(UNKNOWN_GIT.to_string()),
                via: Via::UnknownGit,
                detail: tried.to_string(),
                usermap_unreadable: false,
            },
            None => refused(format!("{tried} and no standard `{UNKNOWN_GIT}` user")),
        }
    }

    /// `UserMap._lookup_by_tuple_index`: the usermap and earlier hits first, then `p4 users`
    /// (a hit there is remembered for later lookups). Returns the entry and the key matched.
    fn find(&mut self, field: Field, value: &str) -> Result<Option<(Entry, String)>, UsersError> {
        if self.known.is_none() {
            self.known = Some(self.read_usermap());
        }
        let sensitive = self.email_case_sensitive;
        let matches = |e: &Entry| match field {
            Field::Email => same_email(&e.email, value, sensitive),
            Field::User => e.user == value,
        };
        let known = match self.known.as_mut().expect("read above") {
            Ok(known) => known,
            Err(e) => return Err(e.clone()),
        };
        if let Some(entry) = known.iter().find(|e| matches(e)) {
            return Ok(Some((entry.clone(), value.to_string())));
        }
        let Some(entry) = self.p4_users.iter().find(|e| matches(e)).cloned() else {
            return Ok(None);
        };
        known.push(entry.clone());
        Ok(Some((entry, value.to_string())))
    }

    /// `UserMap._read_user_map`: usermap lines in file order, names folded on a
    /// case-insensitive server, without `git-fusion-user` and without existing users whose
    /// type is not `standard`.
    fn read_usermap(&self) -> Result<Vec<Entry>, UsersError> {
        let lines = self.usermap.clone()?;
        let fold = self.case_insensitive_server;
        Ok(lines
            .into_iter()
            .map(|l| (fold_user(&l.user, fold), l))
            .filter(|(user, _)| user != GIT_FUSION_USER)
            .filter(|(user, _)| {
                let spec = self.all_users.iter().find(|u| fold_user(&u.user, fold) == *user);
                spec.is_none_or(|u| u.kind == UserType::Standard)
            })
            .map(|(user, l)| Entry { user, email: l.email, found: Via::Usermap, line: l.line })
            .collect())
    }

    /// `UserMap.p4user_exists`: the user is in `p4 users` (standard users only).
    fn exists(&self, user: &str) -> bool {
        let user = fold_user(user, self.case_insensitive_server);
        self.p4_users.iter().any(|e| e.user == user)
    }
}

#[derive(Clone, Copy)]
enum Field {
    Email,
    User,
}

/// Returns `user` as Git Fusion compares it: Unicode case folding (Python's `casefold`) on a
/// case-insensitive server, unchanged on a case-sensitive one.
fn fold_user(user: &str, case_insensitive_server: bool) -> String {
    if case_insensitive_server {
        caseless::default_case_fold_str(user)
    } else {
        user.to_string()
    }
}

/// Returns true when `a` and `b` name the same Perforce user on the server.
pub fn same_user(a: &str, b: &str, case_insensitive_server: bool) -> bool {
    fold_user(a, case_insensitive_server) == fold_user(b, case_insensitive_server)
}

/// Returns true when Git Fusion treats `a` and `b` as one address (`_find_by_tuple_index`):
/// by default the whole address in lower case (Python's `str.lower`); with
/// `email-case-sensitivity`, split at the last `@`, an exact local part and a lower-cased
/// domain. Without any `@` Python's slicing keeps all but the last character as the local
/// part and the whole text as the domain; that quirk is kept.
pub fn same_email(a: &str, b: &str, case_sensitive: bool) -> bool {
    if !case_sensitive {
        return a.to_lowercase() == b.to_lowercase();
    }
    fn split(email: &str) -> (&str, String) {
        match email.rfind('@') {
            Some(at) => (&email[..at], email[at + 1..].to_lowercase()),
            None => {
                let local = email.char_indices().last().map_or("", |(i, _)| &email[..i]);
                (local, email.to_lowercase())
            }
        }
    }
    split(a) == split(b)
}

/// Returns the addresses `git-email` tries (`email_subdomain_iter`): the address, then each
/// shorter domain, split at the last `@`. An address without `@`, or starting with it,
/// yields none (docs/git-fusion.md).
pub fn email_candidates(email: &str) -> Vec<String> {
    let Some(at) = email.rfind('@').filter(|at| *at > 0) else { return Vec::new() };
    let (account, domain) = (&email[..=at], &email[at + 1..]);
    let parts: Vec<&str> = domain.split('.').collect();
    (0..parts.len()).map(|i| format!("{account}{}", parts[i..].join("."))).collect()
}

/// Returns the author's name and address as Git Fusion reads them from `git fast-export`'s
/// `author <name> <<email>> <date> <tz>` line (`p4gf_fastexport.Parser`): the name runs to the
/// first ` <`, the address to the next blank, then `<` and `>` are stripped from its ends. So
/// `<peggy x@example.com>` becomes `peggy` (docs/git-fusion.md).
pub fn git_fusion_ident(name: &str, email: &str) -> (String, String) {
    let line = format!("{name} <{email}> 0 +0000");
    let Some(split) = line.find(" <") else { return (name.to_string(), email.to_string()) };
    let rest = &line[split + 1..];
    let address = rest.split(' ').next().unwrap_or("");
    (line[..split].to_string(), address.trim_matches(['<', '>']).to_string())
}
