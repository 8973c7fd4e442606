//! Whether Git Fusion counts a path as tracked by Git LFS in a commit (reference §8.4,
//! p4gf_lfs_checker.py `is_tracked_git`), which is not git's own attribute matching:
//! - `.gitattributes` is read in the file's directory, then in each parent up to the root;
//!   the first directory with a matching line decides;
//! - within a file the last matching line wins; its last `filter=lfs` or `-filter=lfs`
//!   element says tracked or not;
//! - a pattern ending in `/` never matches, and every pattern is matched against the whole
//!   repo-relative path, even in a nested file;
//! - a pattern without `/` may match any trailing part of the path, with `*` crossing `/`;
//!   with a `/`, a single `*` stays within one directory and `**` crosses them.
//!
//! Pure: callers hand in the `.gitattributes` texts.

use super::pointer::python_lines;

/// The LFS lines of one `.gitattributes` file, last line first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LfsLines(Vec<(bool, String)>);

impl LfsLines {
    /// Returns the LFS lines of a `.gitattributes` file's bytes; a file that is not UTF-8
    /// has none, as for Git Fusion.
    pub fn parse(content: &[u8]) -> LfsLines {
        let Ok(text) = std::str::from_utf8(content) else { return LfsLines::default() };
        let mut lines: Vec<(bool, String)> = python_lines(text)
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .filter_map(|line| {
                let elements: Vec<&str> = line.split_whitespace().collect();
                let (pattern, rest) = elements.split_first()?;
                rest.iter().rev().find_map(|e| match *e {
                    "filter=lfs" => Some((true, pattern.to_string())),
                    "-filter=lfs" => Some((false, pattern.to_string())),
                    _ => None,
                })
            })
            .collect();
        lines.reverse();
        LfsLines(lines)
    }

    /// Returns whether some line tracks paths (`filter=lfs`).
    pub fn tracks_any(&self) -> bool {
        self.0.iter().any(|(track, _)| *track)
    }

    /// Returns `Some(true)` (tracked), `Some(false)` (untracked) or `None` (no line matches).
    fn decide(&self, path: &str) -> Option<bool> {
        self.0.iter().find(|(_, pattern)| path_matches(path, pattern)).map(|(track, _)| *track)
    }
}

/// Returns whether Git Fusion counts `path` as tracked by Git LFS; `attributes(dir)` returns
/// the LFS lines of `dir/.gitattributes` (`dir` empty for the root) in the pushed commit.
pub fn is_tracked(path: &str, mut attributes: impl FnMut(&str) -> LfsLines) -> bool {
    let mut dir = parent(path);
    loop {
        if let Some(track) = attributes(dir).decide(path) {
            return track;
        }
        if dir.is_empty() {
            return false;
        }
        dir = parent(dir);
    }
}

/// Returns the directory part of `path` (`os.path.dirname`).
pub fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |at| path[..at].trim_end_matches('/'))
}

/// Returns whether `path` matches `pattern` as Git Fusion's `path_matches_pattern` does.
pub fn path_matches(path: &str, pattern: &str) -> bool {
    if pattern.ends_with('/') {
        return false;
    }
    let pattern: Vec<char> = pattern.chars().collect();
    let path: Vec<char> = path.chars().collect();
    if pattern.contains(&'/') {
        return glob(&pattern, &path, false);
    }
    // `(.*/)?` before the pattern: the whole path, or any part after a `/`.
    std::iter::once(0)
        .chain(path.iter().enumerate().filter(|(_, c)| **c == '/').map(|(i, _)| i + 1))
        .any(|start| glob(&pattern, &path[start..], true))
}

/// Matches the whole of `text` against fnmatch `pattern`. A run of one `*` crosses `/` only
/// when `star_crosses`; a run of two or more always does.
fn glob(pattern: &[char], text: &[char], star_crosses: bool) -> bool {
    match pattern.first() {
        None => text.is_empty(),
        Some('*') => {
            let run = pattern.iter().take_while(|c| **c == '*').count();
            let rest = &pattern[run..];
            let crosses = star_crosses || run > 1;
            (0..=text.len())
                .take_while(|&n| n == 0 || crosses || text[n - 1] != '/')
                .any(|n| glob(rest, &text[n..], star_crosses))
        }
        Some('?') => !text.is_empty() && glob(&pattern[1..], &text[1..], star_crosses),
        Some('[') => match class(&pattern[1..]) {
            Some((matches, used)) => {
                !text.is_empty()
                    && matches(text[0])
                    && glob(&pattern[1 + used..], &text[1..], star_crosses)
            }
            // An unclosed `[` is a literal, as in fnmatch.
            None => text.first() == Some(&'[') && glob(&pattern[1..], &text[1..], star_crosses),
        },
        Some(c) => text.first() == Some(c) && glob(&pattern[1..], &text[1..], star_crosses),
    }
}

/// Parses an fnmatch class after its `[`: returns its test and how many characters it used
/// (through the closing `]`), or `None` when it is not closed.
fn class(after: &[char]) -> Option<(impl Fn(char) -> bool, usize)> {
    let mut i = 0;
    let negate = matches!(after.first(), Some('!'));
    if negate {
        i += 1;
    }
    // A `]` right after `[` or `[!` is a member.
    let start = i;
    while i < after.len() && (after[i] != ']' || i == start) {
        i += 1;
    }
    if i >= after.len() {
        return None;
    }
    let members: Vec<char> = after[start..i].to_vec();
    let test = move |c: char| {
        let mut j = 0;
        let mut hit = false;
        while j < members.len() {
            if j + 2 < members.len() && members[j + 1] == '-' {
                hit |= members[j] <= c && c <= members[j + 2];
                j += 3;
            } else {
                hit |= members[j] == c;
                j += 1;
            }
        }
        hit != negate
    };
    Some((test, i + 1))
}
