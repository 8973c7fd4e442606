//! Whether Git Fusion counts a path as tracked by Git LFS in a commit (docs/git-fusion.md,
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
fn parent(path: &str) -> &str {
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

/// One element of an fnmatch pattern.
enum Token {
    /// `*` (a run of one, crossing `/` when the pattern allows) or `**…` (always crossing).
    Star { crosses: bool },
    /// `?`: any one character.
    Any,
    /// `[…]`: one character of a class (negated with `!`).
    Class { members: Vec<char>, negated: bool },
    /// Any other character, itself.
    Literal(char),
}

impl Token {
    fn matches_one(&self, c: char) -> bool {
        match self {
            Token::Star { .. } => unreachable!("stars match runs"),
            Token::Any => true,
            Token::Literal(l) => *l == c,
            Token::Class { members, negated } => {
                let mut hit = false;
                let mut j = 0;
                while j < members.len() {
                    if j + 2 < members.len() && members[j + 1] == '-' {
                        hit |= members[j] <= c && c <= members[j + 2];
                        j += 3;
                    } else {
                        hit |= members[j] == c;
                        j += 1;
                    }
                }
                hit != *negated
            }
        }
    }
}

/// Splits an fnmatch pattern into tokens. A run of one `*` crosses `/` only when
/// `star_crosses`; a run of two or more always does. An unclosed `[` is a literal.
fn tokens(pattern: &[char], star_crosses: bool) -> Vec<Token> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < pattern.len() {
        match pattern[i] {
            '*' => {
                let run = pattern[i..].iter().take_while(|c| **c == '*').count();
                out.push(Token::Star { crosses: star_crosses || run > 1 });
                i += run;
                continue;
            }
            '?' => out.push(Token::Any),
            '[' => {
                let negated = pattern.get(i + 1) == Some(&'!');
                let start = i + 1 + usize::from(negated);
                // A `]` right after `[` or `[!` is a member.
                let close = (start + 1..pattern.len()).find(|&j| pattern[j] == ']');
                match close.filter(|_| start < pattern.len()) {
                    Some(end) => {
                        out.push(Token::Class { members: pattern[start..end].to_vec(), negated });
                        i = end;
                    }
                    None => out.push(Token::Literal('[')),
                }
            }
            c => out.push(Token::Literal(c)),
        }
        i += 1;
    }
    out
}

/// Matches the whole of `text` against fnmatch `pattern`, in time proportional to their
/// lengths' product: a `.gitattributes` line comes from a pushed commit, and a backtracking
/// matcher would let a line like `*a*a*a*a*b` stall the preflight.
fn glob(pattern: &[char], text: &[char], star_crosses: bool) -> bool {
    let tokens = tokens(pattern, star_crosses);
    // reach[j]: the first `i` tokens can match `text[..j]`.
    let mut reach = vec![false; text.len() + 1];
    reach[0] = true;
    for token in &tokens {
        let mut next = vec![false; text.len() + 1];
        match token {
            Token::Star { crosses } => {
                for j in 0..=text.len() {
                    // A star extends a match over characters it may cover.
                    next[j] =
                        reach[j] || (j > 0 && next[j - 1] && (*crosses || text[j - 1] != '/'));
                }
            }
            one => {
                for j in 1..=text.len() {
                    next[j] = reach[j - 1] && one.matches_one(text[j - 1]);
                }
            }
        }
        reach = next;
    }
    reach[text.len()]
}
