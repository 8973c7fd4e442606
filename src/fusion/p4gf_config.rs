//! Git Fusion's `p4gf_config` files, read the way Git Fusion reads them: Python
//! `configparser` with `interpolation=None`, and the cascade repo `[@repo]` → global section →
//! built-in default (docs/git-fusion.md).
//!
//! Owns parsing and lookup only. It never runs `p4`; callers hand it the files' text.

pub use super::ini::{IniFile, ParseError};

/// Sections of the global file; in a per-repo file these names are ignored by Git Fusion
/// (its validator says "would be ignored"), and any other name not starting with `@` is a
/// branch section (`is_branch_section_name`).
pub const GLOBAL_SECTIONS: &[&str] = &[
    "repo-creation",
    "git-to-perforce",
    "perforce-to-git",
    "@features",
    "authentication",
    "quota",
    "undoc",
    "@repo",
];

/// A setting of Git Fusion's global sections that gfbridge reads: the section of the global
/// file it lives in (a repo's file overrides it in `[@repo]`) and its key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setting {
    /// The global file's section.
    pub section: &'static str,
    /// The key.
    pub key: &'static str,
}

/// A yes/no setting and Git Fusion's default for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flag {
    /// Where it lives.
    pub setting: Setting,
    /// What an unset (or non-boolean) value means.
    pub default: bool,
}

const fn setting(section: &'static str, key: &'static str) -> Setting {
    Setting { section, key }
}

const fn flag(section: &'static str, key: &'static str, default: bool) -> Flag {
    Flag { setting: setting(section, key), default }
}

/// Every Git Fusion setting gfbridge reads, each key and default written once
/// (docs/git-fusion.md).
pub mod settings {
    use super::{flag, setting, Flag, Setting};

    /// Who owns each changelist: `author` (the default) or `pusher`.
    pub const CHANGE_OWNER: Setting = setting("git-to-perforce", "change-owner");
    /// Whether pushing `depot-branch/<x>` makes a fully populated depot branch.
    pub const DEPOT_BRANCH_CREATION: Setting =
        setting("git-to-perforce", "depot-branch-creation-enable");
    /// Whether a push may create a branch no section defines.
    pub const BRANCH_CREATION: Flag = flag("git-to-perforce", "enable-git-branch-creation", true);
    /// Whether merge commits are accepted.
    pub const MERGE_COMMITS: Flag = flag("git-to-perforce", "enable-git-merge-commits", true);
    /// Whether submodules are accepted.
    pub const SUBMODULES: Flag = flag("git-to-perforce", "enable-git-submodules", true);
    /// Whether the changelist owner's write permission goes unchecked.
    pub const IGNORE_AUTHOR_PERMISSIONS: Flag =
        flag("git-to-perforce", "ignore-author-permissions", false);
    /// Whether Git Fusion stores Git LFS content.
    pub const GIT_LFS_ENABLE: Flag = flag("perforce-to-git", "git-lfs-enable", false);
    /// The URL Git Fusion's LFS server is reached at.
    pub const HTTP_URL: Setting = setting("perforce-to-git", "http-url");
    /// Where authors are looked up, in order.
    pub const AUTHOR_SOURCE: Setting = setting("authentication", "author-source");
    /// Whether author emails are compared with their case.
    pub const EMAIL_CASE_SENSITIVITY: Setting = setting("authentication", "email-case-sensitivity");
}

/// Returns the boolean `value` per `ConfigParser.BOOLEAN_STATES`, or `None` if it is not one.
pub fn boolean(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "yes" | "true" | "on" => Some(true),
        "0" | "no" | "false" | "off" => Some(false),
        _ => None,
    }
}

/// Returns true for values Git Fusion reads as unset: empty, or `none` in any case.
pub fn is_none_value(value: &str) -> bool {
    value.is_empty() || value.eq_ignore_ascii_case("none")
}

/// Where an effective value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The per-repo file's `[@repo]` section.
    RepoFile,
    /// The global file's section.
    GlobalFile,
    /// Git Fusion's built-in default.
    Default,
}

/// A repo's configuration as Git Fusion resolves it: the global file and the repo's file.
#[derive(Clone, Debug, Default)]
pub struct FusionConfig {
    /// `//.git-fusion/p4gf_config` (empty when absent: Git Fusion creates it with defaults).
    pub global: IniFile,
    /// `//.git-fusion/repos/<repo>/p4gf_config`, when it exists.
    pub repo: Option<IniFile>,
    /// `//.git-fusion/repos/<repo>/p4gf_config2`: the lightweight branches, when it exists.
    pub lightweight: Option<IniFile>,
}

impl FusionConfig {
    /// Returns the raw value of a global-section key after the cascade (`RepoConfig._get`):
    /// the repo file's `[@repo]` value whenever the key is there, else the global file's.
    fn raw(&self, section: &str, key: &str) -> Option<(&str, Source)> {
        match self.repo.as_ref().and_then(|r| r.get("@repo", key)) {
            Some(value) => Some((value, Source::RepoFile)),
            None => self.global.get(section, key).map(|v| (v, Source::GlobalFile)),
        }
    }

    /// Returns the value of a global-section key after the cascade, and where it came from;
    /// `None` when unset. A `[@repo]` value of `none` or empty does not fall through to the
    /// global file: it means unset, and the default applies (docs/git-fusion.md).
    pub fn effective(&self, setting: Setting) -> Option<(&str, Source)> {
        self.raw(setting.section, setting.key).filter(|(v, _)| !is_none_value(v))
    }

    /// Returns a key as Git Fusion tests `getboolean()`'s result for truth: a boolean word is
    /// that boolean, any other non-empty text (`none`, `maybe`) is true, and empty or unset
    /// is false (docs/git-fusion.md, `email-case-sensitivity`).
    pub fn truthy(&self, setting: Setting) -> bool {
        let value = self.raw(setting.section, setting.key);
        value.is_some_and(|(v, _)| boolean(v).unwrap_or(!v.is_empty()))
    }

    /// Returns a boolean global-section key after the cascade; a value that is not a boolean
    /// reads as the default, as `GlobalConfig.getboolean()` does.
    pub fn flag(&self, flag: Flag) -> bool {
        self.effective(flag.setting).and_then(|(v, _)| boolean(v)).unwrap_or(flag.default)
    }

    /// Returns the effective `change-owner` and where it was set: `pusher` in any letter
    /// case means pusher; anything else is `author`, as Git Fusion treats it at run time.
    pub fn change_owner(&self) -> EffectiveOwner {
        let Some((raw, source)) = self.effective(settings::CHANGE_OWNER) else {
            return EffectiveOwner {
                owner: ChangeOwner::Author,
                source: Source::Default,
                raw: "author".into(),
                unusual: false,
            };
        };
        let lower = raw.to_ascii_lowercase();
        EffectiveOwner {
            owner: if lower == "pusher" { ChangeOwner::Pusher } else { ChangeOwner::Author },
            source,
            raw: raw.to_string(),
            unusual: lower != "pusher" && lower != "author",
        }
    }

    /// Returns the global sections the repo file has, which Git Fusion ignores there.
    pub fn ignored_repo_sections(&self) -> Vec<&str> {
        let Some(repo) = &self.repo else { return Vec::new() };
        repo.section_names().filter(|n| GLOBAL_SECTIONS.contains(n) && *n != "@repo").collect()
    }

    /// Returns which of `settings` the repo's file sets under their global section's name,
    /// which Git Fusion ignores in a repo's file (overrides belong in `[@repo]`).
    pub fn ignored_repo_keys(&self, settings: &[Setting]) -> Vec<Setting> {
        let ignored = self.ignored_repo_sections();
        let set = |s: &Setting| {
            let section = self.repo.as_ref().and_then(|r| r.section(s.section));
            ignored.contains(&s.section) && section.is_some_and(|keys| keys.contains_key(s.key))
        };
        settings.iter().copied().filter(set).collect()
    }

    /// Returns why Git Fusion would refuse to take `branch` (docs/git-fusion.md):
    /// a new `depot-branch/<x>` unless `depot-branch-creation-enable = explicit`; and, with
    /// `enable-git-branch-creation = no`, any pushed branch — new or existing — that no branch
    /// section of the repo's p4gf_config defines (`defined`; an existing undefined branch is a
    /// lightweight one), unless `depot-branch-creation-enable = all` makes a new one fully
    /// populated first. The one home of this rule: the preflight and check `fusion_branches`.
    pub fn creation_refusal(
        &self,
        branch: &str,
        new_branch: bool,
        defined: bool,
    ) -> Option<String> {
        let mode = self
            .effective(settings::DEPOT_BRANCH_CREATION)
            .map(|(v, _)| v.to_lowercase())
            .filter(|v| v == "all" || v == "explicit");
        let explicit = branch.starts_with("depot-branch/");
        if new_branch && explicit && mode.as_deref() != Some("explicit") {
            return Some(format!(
                "`{branch}` asks for a depot branch while depot-branch-creation-enable is not `explicit` (Git Fusion: `depot-branch creation disabled: refs/heads/{branch}`)"
            ));
        }
        let made_by_git_fusion = new_branch && (mode.as_deref() == Some("all") || explicit);
        if defined || made_by_git_fusion || self.repo.is_none() {
            return None;
        }
        if self.flag(settings::BRANCH_CREATION) {
            return None;
        }
        let what = if new_branch {
            "a new branch"
        } else {
            "a lightweight branch (no branch section defines it)"
        };
        Some(format!(
            "`{branch}` is {what}, enable-git-branch-creation = no, and no branch section of the repo's p4gf_config defines it (Git Fusion: `Branch creation is not authorized for this repo.`)"
        ))
    }

    /// Returns the git branch names that a non-deleted `p4gf_config2` branch shares with a
    /// `p4gf_config` branch: Git Fusion then fails every operation on the repo (its
    /// `config_to_branch_dict`).
    pub fn lightweight_name_clashes(&self) -> Vec<String> {
        let deleted = |id: &str| {
            self.repo.as_ref().and_then(|r| r.get(id, "deleted")).and_then(boolean) == Some(true)
        };
        let full: Vec<String> = self
            .branches()
            .into_iter()
            .filter(|b| !deleted(&b.id))
            .filter_map(|b| b.git_branch_name)
            .collect();
        let mut clashes: Vec<String> = self
            .lightweight_branches()
            .into_iter()
            .filter_map(|b| b.git_branch_name)
            .filter(|name| full.contains(name))
            .collect();
        clashes.sort();
        clashes.dedup();
        clashes
    }

    /// Returns the branch sections of the repo file, in file order (the first is special).
    pub fn branches(&self) -> Vec<BranchSection> {
        self.repo.as_ref().map(branch_sections).unwrap_or_default()
    }

    /// Returns the lightweight branches `p4gf_config2` describes that are not deleted
    /// (docs/git-fusion.md).
    pub fn lightweight_branches(&self) -> Vec<BranchSection> {
        let Some(file) = &self.lightweight else { return Vec::new() };
        let deleted = |id: &str| file.get(id, "deleted").and_then(boolean) == Some(true);
        branch_sections(file).into_iter().filter(|s| !deleted(&s.id)).collect()
    }
}

/// Returns the branch sections of a repo's config file, in file order.
fn branch_sections(repo: &IniFile) -> Vec<BranchSection> {
    repo.section_names()
        .filter(|n| !n.starts_with('@') && !GLOBAL_SECTIONS.contains(n))
        .map(|id| {
            let get = |k: &str| repo.get(id, k).filter(|v| !is_none_value(v));
            BranchSection {
                id: id.to_string(),
                git_branch_name: get("git-branch-name").map(String::from),
                read_only: get("read-only").and_then(boolean).unwrap_or(false),
                view: get("view").map(String::from),
            }
        })
        .collect()
}

/// Who Git Fusion makes the owner of each changelist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeOwner {
    /// The mapped git author ("change-pusher is disabled").
    Author,
    /// The pusher: every changelist belongs to the mirroring account.
    Pusher,
}

/// The effective `change-owner` with where it was set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EffectiveOwner {
    /// What Git Fusion will do.
    pub owner: ChangeOwner,
    /// Which file set it.
    pub source: Source,
    /// The value as written.
    pub raw: String,
    /// True when the value is neither `author` nor `pusher` (Git Fusion logs a warning).
    pub unusual: bool,
}

/// One branch section of a repo's `p4gf_config`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BranchSection {
    /// The section id.
    pub id: String,
    /// `git-branch-name`, when set.
    pub git_branch_name: Option<String>,
    /// `read-only = yes`.
    pub read_only: bool,
    /// The `view` lines, as written (docs/git-fusion.md).
    pub view: Option<String>,
}

/// Returns a repo name as Git Fusion stores it in depot paths and keys (`/` → `_0xS_`,
/// `:` → `_0xC_`).
pub fn encode_repo_name(repo: &str) -> String {
    repo.replace('/', "_0xS_").replace(':', "_0xC_")
}

/// Returns the repo name an encoded one stands for (`_0xS_` → `/`, `_0xC_` → `:`), as the
/// directories under `//.git-fusion/repos/` are named.
pub fn decode_repo_name(encoded: &str) -> String {
    encoded.replace("_0xS_", "/").replace("_0xC_", ":")
}
