//! Predicting which Perforce user Git Fusion makes the owner of a commit's changelist
//! (SPEC §4; reference git-fusion.md §2.2, `p4gf_g2p_user.py` `_git_to_p4_user`).
//!
//! Pure: the usermap, the users and the settings come in; a `Mapping` comes out. The rules
//! here must match Git Fusion's exactly, because attribution in Perforce is permanent.

use super::users::{P4User, UsermapLine};

/// One entry of `[authentication] author-source`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorSource {
    /// The author email, then each shorter domain.
    GitEmail,
    /// The part of the email before `@`, as a Perforce user name.
    GitEmailAccount,
    /// The git author name, as a Perforce user name.
    GitUser,
}

/// Returns the sources in `value` (comma-separated, in order); `git-email` when unset.
/// Unknown entries are skipped, as they match nothing.
pub fn author_sources(value: Option<&str>) -> Vec<AuthorSource> {
    let sources: Vec<AuthorSource> = value
        .unwrap_or("git-email")
        .split(',')
        .filter_map(|s| match s.trim().to_ascii_lowercase().as_str() {
            "git-email" => Some(AuthorSource::GitEmail),
            "git-email-account" => Some(AuthorSource::GitEmailAccount),
            "git-user" => Some(AuthorSource::GitUser),
            _ => None,
        })
        .collect();
    if sources.is_empty() {
        vec![AuthorSource::GitEmail]
    } else {
        sources
    }
}

/// How Git Fusion found (or did not find) the Perforce user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// A `p4gf_usermap` line.
    Usermap,
    /// `p4 users`.
    P4Users,
    /// No match; `unknown_git` exists and takes it.
    UnknownGit,
    /// Git Fusion rejects the push: `User '<email>' not permitted to commit`.
    Unmapped,
}

impl Via {
    /// Returns the contract's name (SPEC §6 `via`).
    pub fn name(self) -> &'static str {
        match self {
            Via::Usermap => "usermap",
            Via::P4Users => "p4_users",
            Via::UnknownGit => "unknown_git",
            Via::Unmapped => "unmapped",
        }
    }
}

/// Git Fusion's pick for one author.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// The Perforce user, or `None` when unmapped.
    pub p4_user: Option<String>,
    /// How it was found.
    pub via: Via,
    /// Why, for people: which key matched where.
    pub detail: String,
}

/// Everything Git Fusion consults to map an author.
#[derive(Clone, Debug)]
pub struct Directory {
    /// `p4gf_usermap` lines, file order.
    pub usermap: Vec<UsermapLine>,
    /// `p4 users -a`.
    pub users: Vec<P4User>,
    /// `[authentication] author-source`.
    pub sources: Vec<AuthorSource>,
    /// `[authentication] email-case-sensitivity = yes`.
    pub email_case_sensitive: bool,
    /// The server folds user-name case (`caseHandling` ≠ `sensitive`).
    pub case_insensitive_server: bool,
    /// The `unknown_git` user's name.
    pub unknown_user: String,
}

impl Directory {
    /// Returns Git Fusion's pick for the author `name <email>`.
    pub fn map(&self, name: &str, email: &str) -> Mapping {
        let email = email.trim_matches(['<', '>']);
        for source in &self.sources {
            for key in candidate_keys(*source, name, email) {
                if let Some((user, via, detail)) = self.lookup(*source, &key) {
                    // A hit on a user Perforce does not have is final: no fallback.
                    return self.existing(user, via, detail, email);
                }
            }
        }
        let unknown = self.unknown_user.clone();
        match self.user(&unknown) {
            Some(_) => {
                Mapping { p4_user: Some(unknown), via: Via::UnknownGit, detail: "no match".into() }
            }
            None => Mapping {
                p4_user: None,
                via: Via::Unmapped,
                detail: format!(
                    "no match and no `{unknown}` user: User '{email}' not permitted to commit"
                ),
            },
        }
    }

    fn existing(&self, user: String, via: Via, detail: String, email: &str) -> Mapping {
        match self.user(&user) {
            Some(_) => Mapping { p4_user: Some(user), via, detail },
            None => Mapping {
                p4_user: None,
                via: Via::Unmapped,
                detail: format!(
                    "{detail} names `{user}`, who is not a Perforce user: User '{email}' not permitted to commit"
                ),
            },
        }
    }

    fn lookup(&self, source: AuthorSource, key: &str) -> Option<(String, Via, String)> {
        let by_email = source == AuthorSource::GitEmail;
        let from_usermap = self.usermap.iter().find(|l| {
            let hit = if by_email {
                self.same_email(&l.email, key)
            } else {
                self.same_user(&l.user, key)
            };
            // Lines for existing users that are not `standard` are skipped, as Git Fusion does.
            hit && self.user(&l.user).is_none_or(|u| u.kind == "standard")
        });
        if let Some(line) = from_usermap {
            let detail = format!("`{key}` matches p4gf_usermap line {}", line.line);
            return Some((line.user.clone(), Via::Usermap, detail));
        }
        let from_users = self.users.iter().find(|u| {
            if by_email {
                self.same_email(&u.email, key)
            } else {
                self.same_user(&u.user, key)
            }
        })?;
        Some((from_users.user.clone(), Via::P4Users, format!("`{key}` matches p4 users")))
    }

    fn user(&self, name: &str) -> Option<&P4User> {
        self.users.iter().find(|u| self.same_user(&u.user, name))
    }

    fn same_user(&self, a: &str, b: &str) -> bool {
        same_user(a, b, self.case_insensitive_server)
    }

    /// Returns true when two addresses are the same for Git Fusion (see `same_email`).
    pub fn same_email(&self, a: &str, b: &str) -> bool {
        same_email(a, b, self.email_case_sensitive)
    }
}

/// Returns true when `a` and `b` name the same Perforce user: a case-insensitive server folds
/// user-name case, a case-sensitive one does not.
pub fn same_user(a: &str, b: &str, case_insensitive_server: bool) -> bool {
    if case_insensitive_server {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

/// Returns true when Git Fusion would treat `a` and `b` as one address: whole address
/// case-insensitive by default; with `email-case-sensitivity = yes`, an exact local part and
/// a case-insensitive domain.
pub fn same_email(a: &str, b: &str, case_sensitive: bool) -> bool {
    if !case_sensitive {
        return a.eq_ignore_ascii_case(b);
    }
    match (a.rsplit_once('@'), b.rsplit_once('@')) {
        (Some((la, da)), Some((lb, db))) => la == lb && da.eq_ignore_ascii_case(db),
        _ => a == b,
    }
}

/// Returns the keys Git Fusion tries for one source, in order.
pub fn candidate_keys(source: AuthorSource, name: &str, email: &str) -> Vec<String> {
    match source {
        AuthorSource::GitEmail => subdomains(email),
        AuthorSource::GitEmailAccount => {
            email.split_once('@').map(|(local, _)| vec![local.to_string()]).unwrap_or_default()
        }
        AuthorSource::GitUser => vec![name.to_string()],
    }
}

/// `bob@dhcp.corp.example.com` → itself, `bob@corp.example.com`, `bob@example.com`, `bob@com`.
fn subdomains(email: &str) -> Vec<String> {
    let Some((local, domain)) = email.split_once('@') else { return vec![email.to_string()] };
    let parts: Vec<&str> = domain.split('.').collect();
    (0..parts.len()).map(|i| format!("{local}@{}", parts[i..].join("."))).collect()
}
