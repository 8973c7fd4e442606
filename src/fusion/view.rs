//! A Git Fusion branch's `view`: which depot path a git path becomes (reference
//! git-fusion.md §8.1; Perforce's view syntax: `...`, `*`, `%%1`–`%%9`, `-` exclusion and `+`
//! overlay lines, later lines taking precedence, double-quoted paths with spaces).
//!
//! Pure: view text in, depot paths out. Right sides carry no client name, as in
//! `p4gf_config` (`//depot/widgets/main/... ...`). Which branch has which view is the
//! preflight's business.

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

/// Returns true when `path` matches a Perforce path pattern (`...`, `*`, `%%n`), as a
/// protections line's `depotFile` is matched.
pub fn matches_pattern(pattern: &str, path: &str) -> bool {
    matches(&tokens(pattern), path, &mut Captures::default())
}

/// Returns a git path as Git Fusion hands it to the view (`p4gf_util.escape_path`): `%`
/// first, then `#`, `@` and `*`, as `%25`, `%23`, `%40`, `%2A`.
pub fn escape_path(path: &str) -> String {
    path.replace('%', "%25").replace('#', "%23").replace('@', "%40").replace('*', "%2A")
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

/// What each wildcard of a pattern matched: `*`s and `...`s in order, `%%n` by number.
#[derive(Clone, Debug, Default)]
struct Captures {
    stars: Vec<String>,
    dots: Vec<String>,
    positions: [Option<String>; 10],
}

/// Matches `text` against `tokens`, filling `captures`; backtracks over wildcards.
fn matches(tokens: &[Token], text: &str, captures: &mut Captures) -> bool {
    let Some((first, rest)) = tokens.split_first() else { return text.is_empty() };
    match first {
        Token::Text(literal) => {
            text.strip_prefix(literal.as_str()).is_some_and(|t| matches(rest, t, captures))
        }
        wildcard => {
            // Candidate ends of the wildcard's match, shortest first.
            let crosses = *wildcard == Token::Dots;
            let ends = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .take_while(|&i| crosses || !text[..i].contains('/'));
            for end in ends {
                let mut attempt = captures.clone();
                let captured = text[..end].to_string();
                match wildcard {
                    Token::Star => attempt.stars.push(captured),
                    Token::Dots => attempt.dots.push(captured),
                    Token::Position(n) => attempt.positions[usize::from(*n)] = Some(captured),
                    Token::Text(_) => unreachable!("handled above"),
                }
                if matches(rest, &text[end..], &mut attempt) {
                    *captures = attempt;
                    return true;
                }
            }
            false
        }
    }
}

/// Returns `tokens` with each wildcard replaced by what its partner matched.
fn substitute(tokens: &[Token], captures: &Captures) -> String {
    let (mut stars, mut dots) = (captures.stars.iter(), captures.dots.iter());
    let mut out = String::new();
    for token in tokens {
        match token {
            Token::Text(text) => out.push_str(text),
            Token::Star => out.push_str(stars.next().map_or("", String::as_str)),
            Token::Dots => out.push_str(dots.next().map_or("", String::as_str)),
            Token::Position(n) => {
                out.push_str(captures.positions[usize::from(*n)].as_deref().unwrap_or(""));
            }
        }
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
        Ok(View { lines })
    }

    /// Returns the depot path of a git path, or `None` when the view does not map it.
    pub fn depot_path(&self, git_path: &str) -> Option<String> {
        self.translate(&escape_path(git_path))
    }

    /// Returns the depot path of a client path (already escaped). The last line whose client
    /// side matches decides: an exclusion unmaps it; a mapping gives its depot path, unless a
    /// later line excludes that depot path or maps it to another client path (a view is
    /// one-to-one: a later line takes precedence on either side).
    pub fn translate(&self, client_path: &str) -> Option<String> {
        for (i, line) in self.lines.iter().enumerate().rev() {
            let mut captures = Captures::default();
            if !matches(&line.client, client_path, &mut captures) {
                continue;
            }
            if line.kind == Kind::Exclude {
                return None;
            }
            let depot = substitute(&line.depot, &captures);
            for later in &self.lines[i + 1..] {
                let mut back = Captures::default();
                if later.kind == Kind::Overlay || !matches(&later.depot, &depot, &mut back) {
                    continue;
                }
                if later.kind == Kind::Exclude || substitute(&later.client, &back) != client_path {
                    return None;
                }
            }
            return Some(depot);
        }
        None
    }
}
