//! Perforce users and Git Fusion's user map, parsed from the text Git Fusion reads:
//! `p4 -ztag -Mj users -a` (JSON lines) or `p4 -ztag users -a` (tagged text), and
//! `//.git-fusion/users/p4gf_usermap` (docs/git-fusion.md).

/// One Perforce user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct P4User {
    /// `User`.
    pub user: String,
    /// `Email`.
    pub email: String,
    /// `FullName`.
    pub full_name: String,
    /// `Type` (`standard` when not printed).
    pub kind: UserType,
}

/// A Perforce user's `Type`. Only a standard user can own changelists Git Fusion submits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserType {
    /// `standard`: a licensed user.
    Standard,
    /// `operator`: administration only.
    Operator,
    /// `service`: a server-to-server account.
    Service,
    /// A type this reading does not know, as printed.
    Other(String),
}

impl UserType {
    /// Returns the type `p4` printed.
    pub fn parse(text: &str) -> UserType {
        match text {
            "standard" => UserType::Standard,
            "operator" => UserType::Operator,
            "service" => UserType::Service,
            other => UserType::Other(other.to_string()),
        }
    }

    /// Returns the type as `p4` prints it.
    pub fn as_str(&self) -> &str {
        match self {
            UserType::Standard => "standard",
            UserType::Operator => "operator",
            UserType::Service => "service",
            UserType::Other(text) => text,
        }
    }
}

/// One `p4gf_usermap` line: `p4user email "Full Name"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsermapLine {
    /// The Perforce user.
    pub user: String,
    /// The email, as written (no angle brackets).
    pub email: String,
    /// The full name, quotes removed.
    pub full_name: String,
    /// 1-based line number, for messages.
    pub line: usize,
}

/// The error returned when users or the usermap cannot be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UsersError {
    /// Git Fusion fails the same way: `Unable to read 'p4gf_usermap'. Illegal character …`.
    #[error("{file}, line {line}: Illegal character '{character}' in email address '{email}' (Git Fusion refuses to read the usermap; fix or remove that line)")]
    IllegalEmail { file: String, line: usize, character: char, email: String },
    /// A `-Mj` line that is not a JSON object, or a p4 error record.
    #[error("{file}, line {line}: {message}")]
    BadUsers { file: String, line: usize, message: String },
}

/// Returns the users in `text`, which may be `-Mj` JSON lines or `-ztag` text.
pub fn parse_users(file: &str, text: &str) -> Result<Vec<P4User>, UsersError> {
    if text.trim_start().starts_with('{') {
        parse_json_users(file, text)
    } else {
        Ok(parse_ztag_users(text))
    }
}

fn parse_json_users(file: &str, text: &str) -> Result<Vec<P4User>, UsersError> {
    let mut users = Vec::new();
    for (index, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let bad =
            |message: String| UsersError::BadUsers { file: file.into(), line: index + 1, message };
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| bad(format!("not a JSON object: {e}")))?;
        let field = |k: &str| value.get(k).and_then(|v| v.as_str()).map(String::from);
        if value.get("severity").is_some() {
            let data = field("data").unwrap_or_default();
            return Err(bad(format!("p4 reported an error: {}", data.trim())));
        }
        let Some(user) = field("User") else {
            return Err(bad("a record without `User`".into()));
        };
        users.push(P4User {
            user,
            email: field("Email").unwrap_or_default(),
            full_name: field("FullName").unwrap_or_default(),
            kind: field("Type").map_or(UserType::Standard, |t| UserType::parse(&t)),
        });
    }
    Ok(users)
}

fn parse_ztag_users(text: &str) -> Vec<P4User> {
    let mut users = Vec::new();
    let mut current: Option<P4User> = None;
    for line in text.lines() {
        let Some(rest) = line.strip_prefix("... ") else { continue };
        let (key, value) = rest.split_once(' ').unwrap_or((rest, ""));
        if key == "User" {
            users.extend(current.take());
            current = Some(P4User {
                user: value.into(),
                email: String::new(),
                full_name: String::new(),
                kind: UserType::Standard,
            });
            continue;
        }
        if let Some(user) = current.as_mut() {
            match key {
                "Email" => user.email = value.into(),
                "FullName" => user.full_name = value.into(),
                "Type" => user.kind = UserType::parse(value),
                _ => {}
            }
        }
    }
    users.extend(current);
    users
}

/// Returns the usermap lines Git Fusion uses, in file order.
///
/// As `p4gf_usermap.py` does: blank lines and `#` lines are ignored; a line must match
/// `([^ \t]+)[ \t]+([^ \t]+)[ \t]+"?([^"]+)"?` (two-column lines are skipped); an email with
/// `<`, `>` or `,` is an error. Which lines Git Fusion then ignores (`git-fusion-user`, users
/// that are not `standard`) depends on the server, so `authors::Directory` decides that.
pub fn parse_usermap(file: &str, text: &str) -> Result<Vec<UsermapLine>, UsersError> {
    let mut lines = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        // Python's `line.strip()` comes before the `#` test: an indented `# ...` is a comment.
        if raw.trim().is_empty() || raw.trim().starts_with('#') {
            continue;
        }
        let Some((user, email, full_name)) = split_usermap_line(raw) else { continue };
        if let Some(character) = email.chars().find(|c| matches!(c, '<' | '>' | ',')) {
            let (file, email) = (file.to_string(), email.to_string());
            return Err(UsersError::IllegalEmail { file, line: index + 1, character, email });
        }
        lines.push(UsermapLine {
            user: user.into(),
            email: email.into(),
            full_name: full_name.into(),
            line: index + 1,
        });
    }
    Ok(lines)
}

/// Splits a line the way the usermap regex does, or returns `None` when it does not match.
fn split_usermap_line(line: &str) -> Option<(&str, &str, &str)> {
    let blank = |c: char| c == ' ' || c == '\t';
    let line = line.trim_start_matches(blank);
    let (user, rest) = line.split_once(blank)?;
    let rest = rest.trim_start_matches(blank);
    let (email, rest) = rest.split_once(blank)?;
    let rest = rest.trim_start_matches(blank);
    let rest = rest.strip_prefix('"').unwrap_or(rest);
    let name_end = rest.find('"').unwrap_or(rest.len());
    let name = &rest[..name_end];
    // `[^"]+` needs at least one character, and a regex search would not cross line ends.
    (!name.is_empty()).then_some((user, email, name.trim_end_matches(['\r', '\n'])))
}
