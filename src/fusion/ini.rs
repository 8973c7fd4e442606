//! INI files read exactly as Python's `configparser.ConfigParser(interpolation=None)` reads
//! them, which is how Git Fusion reads `p4gf_config`.
//!
//! Owns the syntax only: sections, options, continuation lines, comments, `[DEFAULT]`. What
//! the keys mean is `p4gf_config`'s business. Checked against Python's own configparser in
//! `tests/it/fusion_config.rs`.

use std::collections::{BTreeMap, HashMap};

/// configparser's name for the section whose options every other section inherits.
const DEFAULT_SECTION: &str = "DEFAULT";

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

/// One parsed file: sections in file order, option names lower-cased.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IniFile {
    sections: Vec<(String, BTreeMap<String, String>)>,
    /// Section name → index in `sections`: lookups stay constant-time however many
    /// sections a generated file holds (Git Fusion repos with tens of thousands of branches).
    index: HashMap<String, usize>,
    /// `[DEFAULT]`'s options, which every section inherits.
    defaults: BTreeMap<String, String>,
}

impl IniFile {
    /// Returns the file parsed from `text`; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<IniFile, ParseError> {
        let mut parser = Parser {
            file,
            sections: Vec::new(),
            index: HashMap::new(),
            defaults: BTreeMap::new(),
            current: None,
            option: None,
            indent: 0,
        };
        for (index, line) in text.split('\n').enumerate() {
            parser.line(index + 1, line)?;
        }
        Ok(parser.finish())
    }

    /// Returns the value of `key` in `section` (section case-sensitive, key not), inheriting
    /// from `[DEFAULT]`; `None` when the section or the key is absent.
    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        let key = key.to_lowercase();
        let own = self.section(section)?.get(&key);
        own.or_else(|| self.defaults.get(&key)).map(String::as_str)
    }

    /// Returns the options `section` itself sets (not those it inherits), if it exists.
    pub fn section(&self, name: &str) -> Option<&BTreeMap<String, String>> {
        self.index.get(name).map(|&i| &self.sections[i].1)
    }

    /// Returns the section names in file order (`[DEFAULT]` is not one, as in configparser).
    pub fn section_names(&self) -> impl Iterator<Item = &str> {
        self.sections.iter().map(|(n, _)| n.as_str())
    }

    /// Returns `[DEFAULT]`'s options.
    pub fn defaults(&self) -> &BTreeMap<String, String> {
        &self.defaults
    }
}

/// Where options go: a section (by index), or `[DEFAULT]`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Section(usize),
    Defaults,
}

struct Parser<'a> {
    file: &'a str,
    /// Each option's value as its lines, joined at the end as configparser joins them.
    sections: Vec<(String, BTreeMap<String, Vec<String>>)>,
    index: HashMap<String, usize>,
    defaults: BTreeMap<String, Vec<String>>,
    current: Option<Target>,
    /// The option a more-indented line continues.
    option: Option<String>,
    /// The indent of the line that started the current option or section.
    indent: usize,
}

impl Parser<'_> {
    fn error(&self, line: usize, message: impl Into<String>) -> ParseError {
        ParseError { file: self.file.to_string(), line, message: message.into() }
    }

    fn options(&mut self, target: Target) -> &mut BTreeMap<String, Vec<String>> {
        match target {
            Target::Section(i) => &mut self.sections[i].1,
            Target::Defaults => &mut self.defaults,
        }
    }

    fn line(&mut self, number: usize, raw: &str) -> Result<(), ParseError> {
        let stripped = raw.trim();
        // A comment line is dropped, even inside a multi-line value, and changes no indent.
        if stripped.starts_with('#') || stripped.starts_with(';') {
            return Ok(());
        }
        if stripped.is_empty() {
            // A blank line belongs to a value being continued (trailing ones are cut later).
            if let (Some(target), Some(option)) = (self.current, self.option.clone()) {
                self.options(target).get_mut(&option).expect("current option").push(String::new());
            }
            return Ok(());
        }
        let indent = raw.chars().take_while(|c| c.is_whitespace()).count();
        if let (Some(target), Some(option)) = (self.current, self.option.clone()) {
            if indent > self.indent {
                let value = self.options(target).get_mut(&option).expect("current option");
                value.push(stripped.to_string());
                return Ok(());
            }
        }
        self.indent = indent;
        // `\[(?P<header>.+)\]` matched at the start: text after the last `]` is ignored.
        if let Some(end) = stripped.rfind(']').filter(|end| stripped.starts_with('[') && *end > 1) {
            return self.header(number, &stripped[1..end]);
        }
        self.option(number, stripped)
    }

    fn header(&mut self, number: usize, name: &str) -> Result<(), ParseError> {
        self.option = None;
        if name == DEFAULT_SECTION {
            self.current = Some(Target::Defaults);
            return Ok(());
        }
        if self.index.contains_key(name) {
            return Err(self.error(number, format!("section [{name}] appears twice")));
        }
        self.index.insert(name.to_string(), self.sections.len());
        self.current = Some(Target::Section(self.sections.len()));
        self.sections.push((name.to_string(), BTreeMap::new()));
        Ok(())
    }

    fn option(&mut self, number: usize, text: &str) -> Result<(), ParseError> {
        let Some(target) = self.current else {
            return Err(self.error(number, "an option before any [section] header"));
        };
        // configparser's option regex is non-greedy: the first `=` or `:` splits.
        let Some(split) = text.find(['=', ':']) else {
            return Err(self.error(number, format!("`{text}` is not `key = value`")));
        };
        let key = text[..split].trim_end().to_lowercase();
        if key.is_empty() {
            return Err(self.error(number, format!("`{text}` has no option name")));
        }
        let value = text[split + 1..].trim().to_string();
        if self.options(target).insert(key.clone(), vec![value]).is_some() {
            let name = match target {
                Target::Section(i) => self.sections[i].0.clone(),
                Target::Defaults => DEFAULT_SECTION.to_string(),
            };
            return Err(self.error(number, format!("option `{key}` appears twice in [{name}]")));
        }
        self.option = Some(key);
        Ok(())
    }

    /// Joins each value's lines with newlines and cuts trailing blank ones, as configparser.
    fn finish(self) -> IniFile {
        let join = |options: BTreeMap<String, Vec<String>>| -> BTreeMap<String, String> {
            options
                .into_iter()
                .map(|(k, lines)| (k, lines.join("\n").trim_end().to_string()))
                .collect()
        };
        IniFile {
            sections: self
                .sections
                .into_iter()
                .map(|(name, options)| (name, join(options)))
                .collect(),
            index: self.index,
            defaults: join(self.defaults),
        }
    }
}
