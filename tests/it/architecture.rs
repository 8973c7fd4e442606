//! The floors of docs/architecture.md, made executable: every `crate::<module>` path in
//! `src/` is read (outside comments), and an import that runs to a higher floor, a cycle
//! between modules, or a module the table does not place fails the test with the file, the
//! line and the names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::harness::repo_root;

/// The floors as docs/architecture.md declares them: module → floor.
fn floors() -> BTreeMap<String, u32> {
    let doc = std::fs::read_to_string(repo_root().join("docs/architecture.md")).expect("doc");
    let section = doc.split("## Floors").nth(1).expect("a Floors section");
    let section = section.split("\n## ").next().unwrap_or(section);
    let name = regex::Regex::new(r"`([a-z_0-9]+)`").unwrap();
    let mut floors = BTreeMap::new();
    for row in section.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| floor")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let Some(floor) = cells.get(1).and_then(|c| c.split(' ').next()?.parse::<u32>().ok())
        else {
            continue;
        };
        for m in name.captures_iter(cells[2]) {
            assert!(floors.insert(m[1].to_string(), floor).is_none(), "{} placed twice", &m[1]);
        }
    }
    floors
}

/// One use of another module: (file, line, the module used, the path as written).
type Use = (String, usize, String, String);

/// Every `crate::<module>` path of the files under `src/`, by the module each file is in.
fn uses() -> (BTreeSet<String>, Vec<(String, Use)>) {
    let src = repo_root().join("src");
    let path = regex::Regex::new(r"crate::([a-z_0-9]+)((?:::[A-Za-z_0-9]+)*)(!)?").unwrap();
    let mut modules = BTreeSet::new();
    let mut found = Vec::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable") {
            let file = entry.expect("entry").path();
            if file.is_dir() {
                stack.push(file);
                continue;
            }
            if file.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = file.strip_prefix(&src).expect("under src").to_path_buf();
            let module = module_of(&rel);
            if module == "lib" || module == "main" {
                continue;
            }
            modules.insert(module.clone());
            let text = std::fs::read_to_string(&file).expect("readable");
            for (n, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or("");
                for m in path.captures_iter(code) {
                    // `crate::name!` is a macro, exported at the crate root.
                    if m.get(3).is_some() || m[1] == module {
                        continue;
                    }
                    let shown = format!("crate::{}{}", &m[1], &m[2]);
                    found.push((
                        module.clone(),
                        (rel.display().to_string(), n + 1, m[1].to_string(), shown),
                    ));
                }
            }
        }
    }
    (modules, found)
}

fn module_of(rel: &Path) -> String {
    let first = rel.components().next().expect("a component").as_os_str().to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

#[test]
fn imports_never_run_to_a_higher_floor_and_modules_form_no_cycle() {
    let floors = floors();
    let (modules, uses) = uses();
    let unplaced: Vec<&String> = modules.iter().filter(|m| !floors.contains_key(*m)).collect();
    assert!(
        unplaced.is_empty(),
        "modules docs/architecture.md does not place on a floor: {unplaced:?}"
    );
    let mut upward = Vec::new();
    let mut graph: BTreeMap<&str, BTreeMap<&str, &Use>> = BTreeMap::new();
    for (from, u) in &uses {
        let (file, line, to, shown) = u;
        let (Some(a), Some(b)) = (floors.get(from), floors.get(to)) else { continue };
        if b > a {
            upward.push(format!(
                "{file}:{line}: `{from}` (floor {a}) uses {shown} (`{to}`, floor {b})"
            ));
        }
        graph.entry(from.as_str()).or_default().entry(to.as_str()).or_insert(u);
    }
    let cycles = cycles(&graph);
    eprintln!(
        "architecture: {} modules, {} uses of other modules, {} upward, {} cycle(s)",
        modules.len(),
        uses.len(),
        upward.len(),
        cycles.len()
    );
    assert!(upward.is_empty(), "imports running upward:\n{}", upward.join("\n"));
    assert!(cycles.is_empty(), "modules using each other in a circle:\n{}", cycles.join("\n"));
}

/// Returns each cycle of `graph` as `a -> b (file:line) -> … -> a`.
fn cycles(graph: &BTreeMap<&str, BTreeMap<&str, &Use>>) -> Vec<String> {
    let mut found = Vec::new();
    let mut reported = BTreeSet::new();
    for start in graph.keys() {
        // A shortest way back to `start`, breadth first.
        let mut previous: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([*start]);
        let mut closed = None;
        while let Some(at) = queue.pop_front() {
            for next in graph.get(at).into_iter().flat_map(|n| n.keys()) {
                if next == start {
                    closed = Some(at);
                    break;
                }
                if !previous.contains_key(next) {
                    previous.insert(next, at);
                    queue.push_back(next);
                }
            }
            if closed.is_some() {
                break;
            }
        }
        let Some(mut at) = closed else { continue };
        // Back from the last module to `start`'s successor, then turned around.
        let mut middle = Vec::new();
        while at != *start {
            middle.push(at);
            at = previous[at];
        }
        middle.reverse();
        let way: Vec<&str> = std::iter::once(*start).chain(middle).chain([*start]).collect();
        let members: BTreeSet<&str> = way.iter().copied().collect();
        if !reported.insert(members) {
            continue;
        }
        let steps: Vec<String> = way
            .windows(2)
            .map(|w| {
                let (file, line, _, shown) = graph[w[0]][w[1]];
                format!("{} -> {} ({file}:{line}: {shown})", w[0], w[1])
            })
            .collect();
        found.push(steps.join(", "));
    }
    found
}
