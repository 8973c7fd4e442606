//! What Git Fusion knows about a repo (`FusionFacts`): its config files, the usermap, the users,
//! the server's case handling and where protections come from. Pure data and the lookups on
//! it; gathering the facts (`p4` calls, offline files) is `perforce::facts`.

use super::authors::{author_sources, same_user, Directory};
use super::p4gf_config::{settings, FusionConfig};
use super::permissions::Source;
use super::users::{P4User, UsermapLine, UsersError};

/// Git Fusion's view of one repo.
#[derive(Clone, Debug)]
pub struct FusionFacts {
    /// The global and per-repo `p4gf_config`.
    pub config: FusionConfig,
    /// `p4gf_usermap` lines, or why Git Fusion could not read the file (which refuses a push
    /// only once a lookup needs the usermap: Git Fusion reads it lazily, docs/git-fusion.md).
    pub usermap: Result<Vec<UsermapLine>, UsersError>,
    /// `p4 users -a`.
    pub users: Vec<P4User>,
    /// The server folds case (`caseHandling` ≠ `sensitive`).
    pub case_insensitive: bool,
    /// Where the users' write permissions come from (docs/git-fusion.md).
    pub protections: Source,
    /// The Perforce user Git Fusion authenticates gfbridge's pushes as, when configured.
    pub pusher: Option<String>,
}

impl FusionFacts {
    /// Returns the author directory of one push, as Git Fusion's `UserMap` starts it.
    pub fn directory(&self) -> Directory {
        let sources = self.config.effective(settings::AUTHOR_SOURCE).map(|(v, _)| v);
        Directory::new(
            self.usermap.clone(),
            self.users.clone(),
            author_sources(sources),
            self.config.truthy(settings::EMAIL_CASE_SENSITIVITY),
            self.case_insensitive,
        )
    }

    /// Returns the Perforce user called `name`, compared as the server compares names.
    pub fn user(&self, name: &str) -> Option<&P4User> {
        self.users.iter().find(|u| same_user(&u.user, name, self.case_insensitive))
    }
}
