//! A Git Fusion branch's `view`: which depot path a git path becomes (docs/git-fusion.md;
//! Perforce's view syntax: `...`, `*`, `%%1`–`%%9`, `-` exclusion and `+`
//! overlay lines, later lines taking precedence, double-quoted paths with spaces).
//!
//! Pure: view text in, depot paths out. Right sides carry no client name, as in
//! `p4gf_config` (`//depot/widgets/main/... ...`). Which branch has which view is the
//! preflight's business.

use std::borrow::Cow;

/// One piece of a path pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Text(String),
    /// `*`: any characters but `/`.
    Star,
    /// `...`: any characters.
    Dots,
    /// `%%n`: like `*`, matched by number.
    Position(u8),
}

/// Whether a line maps, excludes or overlays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Map,
    Exclude,
    Overlay,
}

#[derive(Clone, Debug)]
struct Line {
    kind: Kind,
    depot: Vec<Token>,
    client: Vec<Token>,
}

/// A parsed view.
#[derive(Clone, Debug)]
pub struct View {
    lines: Vec<Line>,
    /// `covered[j][k]`: line `j` covers line `k` on both sides ([`covers`]), worked out once
    /// instead of for every path.
    covered: Vec<Vec<bool>>,
}

/// The error returned for a view line Perforce would not accept.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("view line `{line}`: {why}")]
pub struct ViewError {
    /// The line, as written.
    pub line: String,
    /// What is wrong with it.
    pub why: &'static str,
}

/// A Perforce path pattern (`...`, `*`, `%%n`), read once and matched many times, as a
/// protections line's `depotFile` is matched against every file of every commit.
#[derive(Clone, Debug)]
pub struct Pattern(Vec<Token>);

impl Pattern {
    /// Returns the pattern `text`.
    pub fn new(text: &str) -> Pattern {
        Pattern(tokens(text))
    }

    /// Returns true when `path` matches the pattern.
    pub fn matches(&self, path: &str) -> bool {
        matches(&self.0, path, &mut Captures::default())
    }
}

/// Returns true when `path` matches a Perforce path pattern (`...`, `*`, `%%n`) given once:
/// for a pattern used many times, keep a [`Pattern`].
pub fn matches_pattern(pattern: &str, path: &str) -> bool {
    Pattern::new(pattern).matches(path)
}

/// Returns a git path as Git Fusion hands it to the view (`p4gf_util.escape_path`): `%`
/// first, then `#`, `@` and `*`, as `%25`, `%23`, `%40`, `%2A`. Most paths hold none of
/// them, and are returned as they are, without a copy.
pub fn escape_path(path: &str) -> Cow<'_, str> {
    if !path.contains(['%', '#', '@', '*']) {
        return Cow::Borrowed(path);
    }
    Cow::Owned(path.replace('%', "%25").replace('#', "%23").replace('@', "%40").replace('*', "%2A"))
}

/// Splits a view line into its fields: blanks separate them, double quotes group them.
fn fields(line: &str) -> Result<Vec<String>, &'static str> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let (mut quoted, mut started) = (false, false);
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            ' ' | '\t' if !quoted => {
                if started {
                    fields.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            _ => {
                current.push(c);
                started = true;
            }
        }
    }
    if quoted {
        return Err("a double quote is not closed");
    }
    if started {
        fields.push(current);
    }
    Ok(fields)
}

fn tokens(pattern: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut text = String::new();
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        let (token, skip) = if rest.starts_with("...") {
            (Some(Token::Dots), 3)
        } else if c == '*' {
            (Some(Token::Star), 1)
        } else if let Some(n) = rest.strip_prefix("%%").and_then(|r| r.chars().next()) {
            match n.to_digit(10) {
                Some(d) => (Some(Token::Position(d as u8)), 3),
                None => (None, 1),
            }
        } else {
            (None, c.len_utf8())
        };
        match token {
            Some(token) => {
                if !text.is_empty() {
                    tokens.push(Token::Text(std::mem::take(&mut text)));
                }
                tokens.push(token);
            }
            None => text.push_str(&rest[..skip]),
        }
        rest = &rest[skip..];
    }
    if !text.is_empty() {
        tokens.push(Token::Text(text));
    }
    tokens
}

/// The wildcards of a pattern, in a canonical order, to check both sides agree.
fn wildcards(tokens: &[Token]) -> (usize, usize, Vec<u8>) {
    let stars = tokens.iter().filter(|t| **t == Token::Star).count();
    let dots = tokens.iter().filter(|t| **t == Token::Dots).count();
    let mut positions: Vec<u8> = tokens
        .iter()
        .filter_map(|t| if let Token::Position(n) = t { Some(*n) } else { None })
        .collect();
    positions.sort_unstable();
    (stars, dots, positions)
}

/// What each wildcard of a pattern matched: `*`s and `...`s in order, `%%n` by number. The
/// pieces borrow the matched text: matching allocates nothing but these two lists.
#[derive(Clone, Debug, Default)]
struct Captures<'t> {
    stars: Vec<&'t str>,
    dots: Vec<&'t str>,
    positions: [Option<&'t str>; 10],
}

impl<'t> Captures<'t> {
    /// Records what `wildcard` matched, returning what it replaced (for [`Captures::undo`]).
    fn record(&mut self, wildcard: &Token, piece: &'t str) -> Option<&'t str> {
        match wildcard {
            Token::Star => self.stars.push(piece),
            Token::Dots => self.dots.push(piece),
            Token::Position(n) => return self.positions[usize::from(*n)].replace(piece),
            Token::Text(_) => unreachable!("only wildcards capture"),
        }
        None
    }

    /// Takes back what [`Captures::record`] recorded.
    fn undo(&mut self, wildcard: &Token, replaced: Option<&'t str>) {
        match wildcard {
            Token::Star => _ = self.stars.pop(),
            Token::Dots => _ = self.dots.pop(),
            Token::Position(n) => self.positions[usize::from(*n)] = replaced,
            Token::Text(_) => unreachable!("only wildcards capture"),
        }
    }
}

/// Matches `text` against `tokens`, filling `captures`; backtracks over wildcards, trying the
/// shortest match of each first. On failure `captures` is as it was.
fn matches<'t>(tokens: &[Token], text: &'t str, captures: &mut Captures<'t>) -> bool {
    let Some((first, rest)) = tokens.split_first() else { return text.is_empty() };
    if let Token::Text(literal) = first {
        return text.strip_prefix(literal.as_str()).is_some_and(|t| matches(rest, t, captures));
    }
    // `...` may match across `/`; `*` and `%%n` stop before the first one.
    let limit = match first {
        Token::Dots => text.len(),
        _ => text.find('/').unwrap_or(text.len()),
    };
    if rest.is_empty() {
        // The last token must take the whole rest: no end but the last can match.
        if limit < text.len() {
            return false;
        }
        captures.record(first, text);
        return true;
    }
    for end in (0..=limit).filter(|&end| text.is_char_boundary(end)) {
        let replaced = captures.record(first, &text[..end]);
        if matches(rest, &text[end..], captures) {
            return true;
        }
        captures.undo(first, replaced);
    }
    false
}

/// Returns `tokens` with each wildcard replaced by what its partner matched.
fn substitute(tokens: &[Token], captures: &Captures) -> String {
    let (mut stars, mut dots) = (captures.stars.iter(), captures.dots.iter());
    let mut out = String::new();
    for token in tokens {
        out.push_str(match token {
            Token::Text(text) => text,
            Token::Star => stars.next().copied().unwrap_or(""),
            Token::Dots => dots.next().copied().unwrap_or(""),
            Token::Position(n) => captures.positions[usize::from(*n)].unwrap_or(""),
        });
    }
    out
}

impl View {
    /// Returns the view of a branch's `view` value: one mapping per line, tabs as spaces.
    pub fn parse(text: &str) -> Result<View, ViewError> {
        let mut lines = Vec::new();
        for raw in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let error = |why| ViewError { line: raw.to_string(), why };
            let fields = fields(raw).map_err(error)?;
            let [depot, client] = &fields[..] else {
                return Err(error("not two paths (quote a path that holds blanks)"));
            };
            let (kind, depot) = match (depot.strip_prefix('-'), depot.strip_prefix('+')) {
                (Some(rest), _) => (Kind::Exclude, rest),
                (_, Some(rest)) => (Kind::Overlay, rest),
                _ => (Kind::Map, depot.as_str()),
            };
            if !depot.starts_with("//") {
                return Err(error("the depot side does not start with //"));
            }
            let (depot, client) = (tokens(depot), tokens(client.trim_start_matches('/')));
            if wildcards(&depot) != wildcards(&client) {
                return Err(error("the two sides do not have the same wildcards"));
            }
            lines.push(Line { kind, depot, client });
        }
        let covered = lines
            .iter()
            .map(|outer| lines.iter().map(|inner| covers(outer, inner)).collect())
            .collect();
        Ok(View { lines, covered })
    }

    /// Returns the depot path of a git path, or `None` when the view does not map it.
    pub fn depot_path(&self, git_path: &str) -> Option<String> {
        self.translate(&escape_path(git_path))
    }

    /// Returns the depot paths of a git path as Git Fusion's permission test relates them
    /// (Perforce's mapping engine joining write permissions with the view): the ones an
    /// overlay (`+`) line lets the visible one shadow, too. Empty when the view does not map it.
    pub fn depot_paths(&self, git_path: &str) -> Vec<String> {
        self.candidates(&escape_path(git_path), Through::Depot)
    }

    /// Returns true when a later line covers an earlier one on both sides (`//a/x/... x/...`
    /// then `//a/... ...`). Perforce's engine then keeps parts of the earlier line alive in
    /// joins in ways this reading does not follow in every case, so a refusal computed from
    /// such a view is a guess (the tests list the cases where it differs).
    pub fn has_covered_lines(&self) -> bool {
        let maps = |line: &Line| line.kind != Kind::Exclude;
        self.lines.iter().enumerate().any(|(i, line)| {
            maps(line)
                && self
                    .lines
                    .iter()
                    .enumerate()
                    .skip(i + 1)
                    .any(|(j, later)| maps(later) && self.covered[j][i])
        })
    }

    /// Returns the depot path of a client path (already escaped), as Perforce translates it:
    /// the last candidate still standing.
    pub fn translate(&self, client_path: &str) -> Option<String> {
        self.candidates(client_path, Through::Client).pop()
    }

    /// Returns the depot paths that map to `client_path`, in line order, as Perforce's mapping
    /// engine (P4.Map) relates them; the tests hold this to it on thousands of generated views.
    ///
    /// The engine keeps a view one-to-one as lines are added. A mapping line (`//a b`) or an
    /// exclusion (`-//a b`) cuts from each earlier line what it claims on either side, and
    /// the cut is kept as an exclusion right after the line it was cut from, hiding what it
    /// covers in the lines up to there: on the client side when a client path is translated,
    /// on the depot side when write permissions are joined with the view (`through`). A mapping
    /// line that covers an earlier line on both sides cuts nothing from it, and drops the cuts
    /// made from it before. An overlay line (`+//a b`) cuts nothing. Each mapping or overlay
    /// line whose client side matches gives a candidate, kept while no cut hides it.
    fn candidates(&self, client_path: &str, through: Through) -> Vec<String> {
        let client_of = |line: &Line, depot: &str| {
            let mut captures = Captures::default();
            matches(&line.depot, depot, &mut captures).then(|| substitute(&line.client, &captures))
        };
        let depot_of = |line: &Line, client: &str| {
            let mut captures = Captures::default();
            matches(&line.client, client, &mut captures).then(|| substitute(&line.depot, &captures))
        };
        let maps = |line: &Line| line.kind != Kind::Exclude;
        let mut found = Vec::new();
        for (i, line) in self.lines.iter().enumerate() {
            let Some(depot) = depot_of(line, client_path).filter(|_| maps(line)) else {
                continue;
            };
            // The lines (from `i` on) whose cuts hide this candidate, as the view grows.
            let mut cut_from: Vec<usize> = Vec::new();
            for (j, later) in self.lines.iter().enumerate().skip(i + 1) {
                if later.kind == Kind::Overlay {
                    continue;
                }
                let claims_client = |c: &str| depot_of(later, c).is_some();
                let claims_depot = |d: &str| client_of(later, d).is_some();
                let spares = |k: usize| later.kind == Kind::Map && self.covered[j][k];
                cut_from.retain(|k| !spares(*k));
                for (k, earlier) in self.lines.iter().enumerate().take(j).skip(i) {
                    if !maps(earlier) || spares(k) || cut_from.contains(&k) {
                        continue;
                    }
                    // The cut from line `k`, seen through `through`, covers this candidate.
                    let hides = match through {
                        Through::Client => depot_of(earlier, client_path)
                            .is_some_and(|d| claims_depot(&d) || claims_client(client_path)),
                        // In a join, a cut from another overlay line hides only that line.
                        Through::Depot if k != i && earlier.kind == Kind::Overlay => false,
                        Through::Depot => client_of(earlier, &depot)
                            .is_some_and(|c| claims_client(&c) || claims_depot(&depot)),
                    };
                    if hides {
                        cut_from.push(k);
                    }
                }
            }
            if cut_from.is_empty() {
                found.push(depot);
            }
        }
        found
    }
}

/// Returns true when every pair of paths `inner` maps is matched by `outer` on both sides:
/// each side of `inner`, with its wildcards standing for paths they could match (`...` one
/// that crosses a `/`, `*` and `%%n` one that does not), matches `outer`'s.
fn covers(outer: &Line, inner: &Line) -> bool {
    let instance = |tokens: &[Token]| -> String {
        tokens
            .iter()
            .map(|t| match t {
                Token::Text(text) => text.clone(),
                Token::Dots => "\u{1}/\u{1}".to_string(),
                Token::Star | Token::Position(_) => "\u{2}".to_string(),
            })
            .collect()
    };
    let side = |outer: &[Token], inner: &[Token]| {
        matches(outer, &instance(inner), &mut Captures::default())
    };
    side(&outer.depot, &inner.depot) && side(&outer.client, &inner.client)
}

/// Which side of the view a question comes through: translating a client path, or joining
/// depot-side write permissions with the view.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Through {
    Client,
    Depot,
}
