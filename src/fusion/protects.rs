//! Who may write where, as Git Fusion reads the protections table (docs/git-fusion.md):
//! inclusion lines add write only with mode `write`, `admin`, `super` or `=write`; every
//! exclusion line removes write, whatever its mode; the last line that matches a depot path
//! decides.
//!
//! Pure: table lines in, answers out. Offline, the lines of a user are selected here (groups
//! and subgroups resolved, hosts matched); online the server selects them
//! (`p4 protects -u <user> -h <host>`). A line that cannot be decided is named, never guessed.

use std::collections::{BTreeSet, HashMap};

use super::view::{matches_pattern, Pattern};

/// One line of `p4 -ztag -Mj protects` output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtectLine {
    /// `perm`: `write`, `read`, `=write`, `super`, …
    pub perm: String,
    /// `host`: `*` or an address pattern.
    pub host: String,
    /// `user`: a user, a group (`is_group`), or `*`.
    pub user: String,
    /// The line names a group.
    pub is_group: bool,
    /// `depotFile`: the path pattern.
    pub depot_file: String,
    /// An exclusion line (`unmap` present; printed with a leading `-` in the spec).
    pub unmap: bool,
}

/// The error for output that is not `-ztag -Mj` protections or groups records.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}, line {line}: {message}")]
pub struct TableError {
    /// Which file or call.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

fn json_records(file: &str, text: &str) -> Result<Vec<(usize, serde_json::Value)>, TableError> {
    let mut records = Vec::new();
    for (index, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let bad = |message: String| TableError { file: file.into(), line: index + 1, message };
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| bad(format!("not a JSON object: {e}")))?;
        if value.get("severity").is_some() {
            let data = value.get("data").and_then(|d| d.as_str()).unwrap_or("").trim().to_string();
            return Err(bad(format!("p4 reported an error: {data}")));
        }
        records.push((index + 1, value));
    }
    Ok(records)
}

/// Returns the lines of `p4 -ztag -Mj protects` output, in table order.
pub fn parse_protects(file: &str, text: &str) -> Result<Vec<ProtectLine>, TableError> {
    json_records(file, text)?
        .into_iter()
        .map(|(line, v)| {
            let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
            let depot_file = field("depotFile").ok_or_else(|| TableError {
                file: file.into(),
                line,
                message: "a record without `depotFile`".into(),
            })?;
            Ok(ProtectLine {
                perm: field("perm").unwrap_or_default(),
                host: field("host").unwrap_or_else(|| "*".into()),
                user: field("user").unwrap_or_else(|| "*".into()),
                is_group: v.get("isgroup").is_some(),
                // `unmap` is present (with any value) on exclusion lines; older servers print
                // the path with a leading `-` instead.
                unmap: v.get("unmap").is_some() || depot_file.starts_with('-'),
                depot_file: depot_file.trim_start_matches('-').to_string(),
            })
        })
        .collect()
}

/// Group memberships from `p4 -ztag -Mj groups` output: each group's direct users and
/// direct subgroups.
#[derive(Clone, Debug, Default)]
pub struct Groups {
    users: HashMap<String, BTreeSet<String>>,
    subgroups: HashMap<String, BTreeSet<String>>,
}

/// Returns the memberships in `p4 -ztag -Mj groups` output (`group`, `user`, `isSubGroup`).
pub fn parse_groups(file: &str, text: &str) -> Result<Groups, TableError> {
    let mut groups = Groups::default();
    for (line, v) in json_records(file, text)? {
        let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let (Some(group), Some(member)) = (field("group"), field("user")) else {
            let message = "a record without `group` and `user`".into();
            return Err(TableError { file: file.into(), line, message });
        };
        let table = if field("isSubGroup").as_deref() == Some("1") {
            &mut groups.subgroups
        } else {
            &mut groups.users
        };
        table.entry(group).or_default().insert(member);
    }
    Ok(groups)
}

impl Groups {
    /// Returns every group `user` belongs to, directly or through subgroups.
    pub fn of(&self, user: &str) -> BTreeSet<String> {
        let mut found: BTreeSet<String> =
            self.users.iter().filter(|(_, m)| m.contains(user)).map(|(g, _)| g.clone()).collect();
        loop {
            let more: Vec<String> = self
                .subgroups
                .iter()
                .filter(|(g, subs)| !found.contains(*g) && subs.iter().any(|s| found.contains(s)))
                .map(|(g, _)| g.clone())
                .collect();
            if more.is_empty() {
                return found;
            }
            found.extend(more);
        }
    }
}

/// Returns the lines of the whole table that apply to `user` connecting from `host`, as the
/// server would select them for `p4 protects -u <user> -h <host>`; or the lines that cannot
/// be decided (a host pattern without a known host, an address range).
pub fn select<'t>(
    table: &'t [ProtectLine],
    groups: &Groups,
    user: &str,
    host: Option<&str>,
) -> Result<Vec<&'t ProtectLine>, Vec<&'t ProtectLine>> {
    let member_of = groups.of(user);
    let mut lines = Vec::new();
    let mut undecided = Vec::new();
    for line in table {
        let names_user = if line.is_group {
            member_of.contains(&line.user)
        } else {
            line.user == "*" || matches_pattern(&line.user, user)
        };
        if !names_user {
            continue;
        }
        match host_applies(&line.host, host) {
            Some(true) => lines.push(line),
            Some(false) => {}
            None => undecided.push(line),
        }
    }
    if undecided.is_empty() {
        Ok(lines)
    } else {
        Err(undecided)
    }
}

/// Returns whether a line's host field covers `host`: `*` covers all; a pattern needs the
/// host; address ranges (`/`) are not decided here.
fn host_applies(pattern: &str, host: Option<&str>) -> Option<bool> {
    if pattern == "*" {
        return Some(true);
    }
    if pattern.contains('/') {
        return None;
    }
    host.map(|h| matches_pattern(pattern, h))
}

/// The depot paths one user may write, as Git Fusion builds it from that user's lines.
#[derive(Clone, Debug, Default)]
pub struct WriteMap {
    /// (adds write, path pattern), in table order.
    lines: Vec<(bool, Pattern)>,
}

impl WriteMap {
    /// Returns the write map of `lines` (one user's, in table order).
    pub fn new<'l>(lines: impl IntoIterator<Item = &'l ProtectLine>) -> WriteMap {
        let lines = lines
            .into_iter()
            .filter_map(|l| {
                if l.unmap {
                    Some((false, Pattern::new(&l.depot_file)))
                } else if grants_write(&l.perm) {
                    Some((true, Pattern::new(&l.depot_file)))
                } else {
                    None // A `read` line takes nothing away (docs/git-fusion.md).
                }
            })
            .collect();
        WriteMap { lines }
    }

    /// Returns true when the user may write `depot_path`: the last line matching it decides.
    pub fn allows(&self, depot_path: &str) -> bool {
        self.lines.iter().rev().find(|(_, p)| p.matches(depot_path)).is_some_and(|l| l.0)
    }
}

/// Returns whether an inclusion line of this mode grants write (`permission_includes`).
fn grants_write(perm: &str) -> bool {
    matches!(perm, "write" | "admin" | "super" | "=write")
}
