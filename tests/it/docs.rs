//! The documentation ships with the product: users have the repository only, so README and
//! docs/ never send them to the project's contract or its reference notes, every config key
//! the loader accepts is explained in docs/configuration.md, and every value a doc puts in a
//! config key is one the loader takes.

use std::path::PathBuf;

use crate::harness::*;

/// README.md and every Markdown file under docs/.
fn documents() -> Vec<(PathBuf, String)> {
    let mut files = vec![repo_root().join("README.md")];
    for entry in std::fs::read_dir(repo_root().join("docs")).expect("docs/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    files.into_iter().map(|p| (p.clone(), std::fs::read_to_string(&p).expect("readable"))).collect()
}

#[test]
fn readme_and_docs_never_cite_the_contract_or_the_reference_notes() {
    let cites = regex::Regex::new(r"SPEC|reference/|reference §|\.\./shared/|§").unwrap();
    let mut found = Vec::new();
    for (path, text) in documents() {
        for (n, line) in text.lines().enumerate() {
            if let Some(m) = cites.find(line) {
                found.push(format!("{}:{}: {}", path.display(), n + 1, m.as_str()));
            }
        }
    }
    assert!(found.is_empty(), "users do not have these files:\n{}", found.join("\n"));
}

/// Every `pub <key>:` field of the `Raw*` structs in src/config/raw.rs: the keys the loader
/// accepts (unknown ones are refused).
fn config_keys() -> Vec<String> {
    let text = std::fs::read_to_string(repo_root().join("src/config/raw.rs")).expect("raw.rs");
    let field = regex::Regex::new(r"^\s*pub ([a-z_0-9]+): ").unwrap();
    let mut keys: Vec<String> =
        text.lines().filter_map(|l| field.captures(l).map(|c| c[1].to_string())).collect();
    keys.sort();
    keys.dedup();
    keys
}

#[test]
fn every_config_key_the_loader_accepts_is_explained_in_docs_configuration() {
    let doc = std::fs::read_to_string(repo_root().join("docs/configuration.md")).expect("doc");
    let keys = config_keys();
    assert!(keys.len() > 30, "the keys were found: {keys:?}");
    let missing: Vec<&String> = keys
        .iter()
        .filter(|k| {
            // A key (`port`), a table (`[perforce]`) or a subtable (`[credentials.fusion]`).
            !doc.contains(&format!("`{k}`"))
                && !doc.contains(&format!("[{k}"))
                && !doc.contains(&format!(".{k}]"))
        })
        .collect();
    assert!(missing.is_empty(), "docs/configuration.md does not explain: {missing:?}");
}

#[test]
fn every_on_unmapped_author_value_the_docs_show_is_accepted() {
    let value = regex::Regex::new(r#"on_unmapped_author = "([a-z_]+)""#).unwrap();
    for (path, text) in documents() {
        for m in value.captures_iter(&text) {
            assert!(
                ["unknown_git", "block"].contains(&&m[1]),
                "{} shows on_unmapped_author = \"{}\", which the config refuses",
                path.display(),
                &m[1]
            );
        }
    }
}
