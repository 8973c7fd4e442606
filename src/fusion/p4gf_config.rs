//! Git Fusion's `p4gf_config` files, read the way Git Fusion reads them: Python
//! `configparser` with `interpolation=None` (reference git-fusion.md §1.1), and the cascade of
//! §1.3 (repo `[@repo]` → global section → built-in default).
//!
//! Owns parsing and lookup only. It never runs `p4`; callers hand it the files' text.

use std::collections::{BTreeMap, HashMap};

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

/// The error returned when a file is not valid configparser INI (Git Fusion would fail too).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}, line {line}: {message}")]
pub struct ParseError {
    /// Which file, as the caller named it.
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// One parsed `p4gf_config` file: sections in file order, options lower-cased.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IniFile {
    sections: Vec<(String, BTreeMap<String, String>)>,
    /// Section name → index in `sections`: lookups stay constant-time however many
    /// sections a generated file holds (Git Fusion repos with tens of thousands of branches).
    index: HashMap<String, usize>,
}

impl IniFile {
    /// Returns the file parsed from `text`; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<IniFile, ParseError> {
        Parser { file, ini: IniFile::default(), current: None, indent: 0 }.run(text)
    }

    /// Returns the raw value of `key` in `section` (section case-sensitive, key not).
    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        self.section(section)?.get(&key.to_ascii_lowercase()).map(String::as_str)
    }

    /// Returns the options of `section`, if the file has it.
    pub fn section(&self, name: &str) -> Option<&BTreeMap<String, String>> {
        self.index.get(name).map(|&i| &self.sections[i].1)
    }

    /// Returns the section names in file order.
    pub fn section_names(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().map(|(n, _)| n.as_str())
    }
}

struct Parser<'a> {
    file: &'a str,
    ini: IniFile,
    /// The option whose value a more-indented line continues: (section index, key).
    current: Option<(usize, String)>,
    indent: usize,
}

impl Parser<'_> {
    fn error(&self, line: usize, message: impl Into<String>) -> ParseError {
        ParseError { file: self.file.to_string(), line, message: message.into() }
    }

    fn run(mut self, text: &str) -> Result<IniFile, ParseError> {
        for (index, raw) in text.lines().enumerate() {
            self.line(index + 1, raw)?;
        }
        for (_, options) in &mut self.ini.sections {
            for value in options.values_mut() {
                // configparser keeps blank lines inside a value but not at its end.
                let trimmed = value.trim_end_matches('\n').to_string();
                *value = trimmed;
            }
        }
        Ok(self.ini)
    }

    fn line(&mut self, number: usize, raw: &str) -> Result<(), ParseError> {
        let stripped = raw.trim();
        if stripped.starts_with('#') || stripped.starts_with(';') {
            return Ok(()); // A comment, even inside a multi-line value, is dropped.
        }
        let indent = raw.len() - raw.trim_start().len();
        if stripped.is_empty() {
            self.continue_value(""); // Blank lines belong to a value being continued.
            return Ok(());
        }
        if self.current.is_some() && indent > self.indent {
            self.continue_value(stripped);
            return Ok(());
        }
        self.indent = indent;
        if let Some(header) = stripped.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            return self.header(number, header);
        }
        self.option(number, stripped)
    }

    fn continue_value(&mut self, text: &str) {
        if let Some((section, key)) = &self.current {
            let value = self.ini.sections[*section].1.get_mut(key).expect("current key exists");
            if !value.is_empty() || !text.is_empty() {
                value.push('\n');
            }
            value.push_str(text);
        }
    }

    fn header(&mut self, number: usize, name: &str) -> Result<(), ParseError> {
        if self.ini.section(name).is_some() {
            return Err(self.error(number, format!("section [{name}] appears twice")));
        }
        self.ini.index.insert(name.to_string(), self.ini.sections.len());
        self.ini.sections.push((name.to_string(), BTreeMap::new()));
        self.current = None;
        Ok(())
    }

    fn option(&mut self, number: usize, text: &str) -> Result<(), ParseError> {
        let Some(section) = self.ini.sections.len().checked_sub(1) else {
            return Err(self.error(number, "an option before any [section] header"));
        };
        // configparser's option regex is non-greedy: the first `=` or `:` splits.
        let Some(split) = text.find(['=', ':']) else {
            return Err(self.error(number, format!("`{text}` is not `key = value`")));
        };
        let key = text[..split].trim().to_ascii_lowercase();
        if key.is_empty() {
            return Err(self.error(number, format!("`{text}` has no option name")));
        }
        let value = text[split + 1..].trim().to_string();
        let options = &mut self.ini.sections[section].1;
        if options.insert(key.clone(), value).is_some() {
            let name = &self.ini.sections[section].0;
            return Err(self.error(number, format!("option `{key}` appears twice in [{name}]")));
        }
        self.current = Some((section, key));
        Ok(())
    }
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
}

impl FusionConfig {
    /// Returns the value of a global-section key after the cascade, and where it came from.
    pub fn effective(&self, section: &str, key: &str) -> Option<(&str, Source)> {
        let from_repo = self.repo.as_ref().and_then(|r| r.get("@repo", key));
        if let Some(value) = from_repo.filter(|v| !is_none_value(v)) {
            return Some((value, Source::RepoFile));
        }
        let from_global = self.global.get(section, key).filter(|v| !is_none_value(v));
        from_global.map(|v| (v, Source::GlobalFile))
    }

    /// Returns a boolean global-section key after the cascade; a value that is not a boolean
    /// reads as the default, as `GlobalConfig.getboolean()` does.
    pub fn flag(&self, section: &str, key: &str, default: bool) -> bool {
        self.effective(section, key).and_then(|(v, _)| boolean(v)).unwrap_or(default)
    }

    /// Returns the effective `change-owner` and where it was set: `pusher` in any letter
    /// case means pusher; anything else is `author`, as Git Fusion treats it at run time.
    pub fn change_owner(&self) -> EffectiveOwner {
        let Some((raw, source)) = self.effective("git-to-perforce", "change-owner") else {
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

    /// Returns the branch sections of the repo file, in file order (the first is special).
    pub fn branches(&self) -> Vec<BranchSection> {
        let Some(repo) = &self.repo else { return Vec::new() };
        repo.section_names()
            .filter(|n| !n.starts_with('@') && !GLOBAL_SECTIONS.contains(n))
            .map(|id| {
                let get = |k: &str| repo.get(id, k).filter(|v| !is_none_value(v));
                BranchSection {
                    id: id.to_string(),
                    git_branch_name: get("git-branch-name").map(String::from),
                    read_only: get("read-only").and_then(boolean).unwrap_or(false),
                }
            })
            .collect()
    }
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
}

/// Returns a repo name as Git Fusion stores it in depot paths and keys (`/` → `_0xS_`,
/// `:` → `_0xC_`).
pub fn encode_repo_name(repo: &str) -> String {
    repo.replace('/', "_0xS_").replace(':', "_0xC_")
}
