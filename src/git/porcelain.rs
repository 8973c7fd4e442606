//! Parsing what `git push --porcelain` and the remote print (docs/ reference git.md).
//!
//! Owns turning per-ref status lines into typed results and reading Git Fusion's push id.
//! Must not decide what a result means for a branch; `sync` does that.

/// What happened to one ref of a push.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefResult {
    /// The ref now has the pushed value (fast-forward or new ref).
    Updated,
    /// The remote already had the value: someone else put it there, so this push did nothing.
    UpToDate,
    /// The lease failed: the remote moved since it was planned (`[rejected] (stale info)`).
    Stale,
    /// Refused only because another ref of the atomic push failed.
    Collateral,
    /// The remote refused it (its hook, or `receive.denyNonFastForwards`); the reason as git gave it.
    Refused(String),
}

/// One `<flag>\t<src>:<dst>\t<summary>` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefStatus {
    /// The destination ref, such as `refs/heads/main`.
    pub dst: String,
    /// What happened to it.
    pub result: RefResult,
}

/// Returns the per-ref results in `stdout` of `git push --porcelain`.
pub fn parse_push(stdout: &str) -> Vec<RefStatus> {
    stdout.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<RefStatus> {
    let mut fields = line.splitn(3, '\t');
    let flag = fields.next()?;
    let refs = fields.next()?;
    let summary = fields.next().unwrap_or("").trim();
    let dst = refs.rsplit_once(':').map_or(refs, |(_, dst)| dst).to_string();
    let result = match flag {
        " " | "*" | "+" => RefResult::Updated,
        "=" => RefResult::UpToDate,
        "!" if summary.contains("stale info") => RefResult::Stale,
        "!" if summary.contains("atomic push failed") => RefResult::Collateral,
        "!" => RefResult::Refused(summary.trim_start_matches('[').replace("] ", ": ")),
        _ => return None,
    };
    Some(RefStatus { dst, result })
}

/// Returns the push id from Git Fusion's `Commencing push <N> processing...`, if printed.
pub fn fusion_push_id(stderr: &str) -> Option<u64> {
    stderr.lines().find_map(|line| {
        let rest = line.split("Commencing push ").nth(1)?;
        let (number, tail) = rest.split_once(' ')?;
        tail.starts_with("processing").then(|| number.parse().ok()).flatten()
    })
}

/// Returns the lines the remote printed (`remote: …`), without the prefix, for messages.
pub fn remote_messages(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("remote: "))
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}
