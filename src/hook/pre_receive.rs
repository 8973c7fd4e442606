//! The effects of the pre-receive hook, in docs/hook.md's order: judge every ref (no network),
//! preflight the new commits from the quarantine, copy the LFS objects they point at to Git
//! Fusion's LFS server, then one atomic compare-and-swap push to Git Fusion. Whatever cannot be established rejects the push: the hook fails closed.
//!
//! Must not print: it returns the `gfbridge:` lines, and the CLI writes them.

use std::collections::BTreeMap;

use git2::Repository;

use super::update::{self, BadLine, Verdict};
use crate::config::pattern::any_match;
use crate::config::{Config, Workspace};
use crate::fusion::preflight::{EachCommit, InspectError, Preflight};
use crate::git::log::{for_each_commit, Range};
use crate::git::porcelain::RefResult;
use crate::git::remote::{self, PushOutcome, Update};
use crate::git::{Git, Libgit};
use crate::lfs::batch::{Client, Meter};
use crate::lfs::scan::spec_pointers;
use crate::lfs::store::Store;
use crate::lfs::transfer::{carry, CarryError, Needed};
use crate::lfs::LfsMode;
use crate::oid::Oid;
use crate::outcome::Reason;
use crate::perforce::facts::{self, FactsError};
use crate::plan::Side;
use crate::refname::{BranchName, RefName, TagName};
use crate::state::WorkspaceDir;

/// Why the hook could not decide; every one of these rejects the push.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// git sent a line the hook cannot read.
    #[error(transparent)]
    Input(#[from] BadLine),
    /// The repository being pushed to (and its quarantined objects) cannot be opened.
    #[error("cannot open the repository being pushed to: {0} (is this running as its pre-receive hook?)")]
    Repository(#[source] Libgit),
    /// Commits of the push could not be listed.
    #[error("cannot list the pushed commits of {refname}: {source}")]
    Walk { refname: String, source: Libgit },
    /// Git Fusion's settings could not be read for the preflight.
    #[error("cannot read Git Fusion's settings for the preflight: {0}")]
    Facts(#[from] FactsError),
    /// A pushed commit could not be read.
    #[error(transparent)]
    Inspect(#[from] InspectError),
}

/// What the hook decided, and what to tell the person pushing.
#[derive(Debug)]
pub struct HookResult {
    /// True when git may update the refs.
    pub accepted: bool,
    /// Lines for the pusher, each starting with `gfbridge:`.
    pub messages: Vec<String>,
}

impl HookResult {
    fn accept(messages: Vec<String>) -> HookResult {
        HookResult { accepted: true, messages }
    }

    /// Returns the rejection for a hook that could not decide (`why` without the prefix).
    pub fn failed(why: &str) -> HookResult {
        HookResult::reject(vec![format!("gfbridge: {why}")])
    }

    fn reject(mut messages: Vec<String>) -> HookResult {
        messages.push("gfbridge: push rejected; nothing changed on either side".into());
        HookResult { accepted: false, messages }
    }

    /// Returns the lines to print. Run by GitLab (`by_gitlab`: `GL_ID` is set), a rejection
    /// repeats each line as `GL-HOOK-ERR: <line>`, the only hook text GitLab's web UI shows
    /// (a refused merge or web edit otherwise says just "pre-receive hook declined").
    pub fn lines(&self, by_gitlab: bool) -> Vec<String> {
        let mut lines = self.messages.clone();
        if by_gitlab && !self.accepted {
            lines.extend(self.messages.iter().map(|m| format!("GL-HOOK-ERR: {m}")));
        }
        lines
    }
}

/// One mirrored branch moving forward.
struct Proxied {
    branch: BranchName,
    expected: Option<Oid>,
    new: Oid,
}

/// Runs the hook for workspace `ws` on git's pre-receive `input`, in the environment git
/// gives hooks (the repository and its quarantine come from there).
pub fn pre_receive(config: &Config, ws: &Workspace, input: &str) -> Result<HookResult, HookError> {
    let updates = update::parse(input)?;
    // After a cutover GitLab stands alone: every push passes, and Git Fusion is not asked.
    if let Ok(Some(r)) = crate::state::retired::of(&config.bridge.cache_dir, &ws.name) {
        let line =
            format!("gfbridge: {} retired by cutover at {}: not sent to Git Fusion", ws.name, r.at);
        return Ok(HookResult::accept(vec![line]));
    }
    let repo = Repository::open_from_env().map_err(|e| HookError::Repository(e.into()))?;
    let descends =
        |old: Oid, new: Oid| repo.graph_descendant_of(new.raw(), old.raw()).unwrap_or(false);
    let mut refused = Vec::new();
    let mut proxied = Vec::new();
    let mut tags = Vec::new();
    for update in &updates {
        match update::judge(ws, update, descends) {
            Verdict::PassThrough => {}
            Verdict::Refuse(why) => refused.push(format!("gfbridge: {why}")),
            Verdict::Proxy { branch, expected, new } => {
                proxied.push(Proxied { branch, expected, new });
            }
            Verdict::ProxyTag { tag, new } => tags.push((tag, new)),
        }
    }
    if !refused.is_empty() {
        return Ok(HookResult::reject(refused));
    }
    if proxied.is_empty() && tags.is_empty() {
        return Ok(HookResult::accept(Vec::new()));
    }
    let (findings, needed) = preflight(config, ws, &repo, &proxied)?;
    let git = Git::in_hook(&config.bridge.git);
    let mut to_push: Vec<&Proxied> = proxied.iter().collect();
    if findings.values().flatten().any(|r| r.blocks) {
        // The one case still accepted: Git Fusion already has the tip (gfbridge's own
        // `push_to_gitlab`). Only now is it worth asking Git Fusion for its tips.
        let upstream = match remote::list_branches(&git, &ws.fusion_remote) {
            Ok(tips) => tips,
            Err(e) => return Ok(unreachable(ws, &e.to_string())),
        };
        to_push.retain(|p| upstream.get(&p.branch) != Some(&p.new));
        let refusals = refusals(&to_push, &findings);
        if !refusals.is_empty() {
            return Ok(HookResult::reject(refusals));
        }
    }
    if to_push.is_empty() && tags.is_empty() {
        return Ok(HookResult::accept(Vec::new()));
    }
    let notes = to_push
        .iter()
        .flat_map(|p| findings.get(&p.branch).into_iter().flatten())
        .map(|r| format!("gfbridge: note: {}", r.line()))
        .collect();
    let needed: Vec<Needed> =
        to_push.iter().flat_map(|p| needed.get(&p.branch).into_iter().flatten()).cloned().collect();
    if let Some(rejected) = carry_lfs(config, ws, &needed) {
        return Ok(rejected);
    }
    Ok(proxy(&git, &repo, ws, &to_push, &tags, notes))
}

/// Copies the LFS objects the proxied commits point at from GitLab's LFS server to Git
/// Fusion's before the push (docs/lfs.md): GitLab has them already, since `git lfs` uploads
/// before it pushes. Returns the rejection when they cannot be carried.
fn carry_lfs(config: &Config, ws: &Workspace, needed: &[Needed]) -> Option<HookResult> {
    if needed.is_empty() || ws.lfs == LfsMode::Off {
        return None;
    }
    let client = |side| crate::lfs::endpoint(ws, side).and_then(|e| Client::new(&e).ok());
    let (source, dest) = (client(Side::Gitlab), client(Side::Fusion));
    let store = Store::of_cache(&WorkspaceDir::new(&config.bridge.cache_dir, &ws.name).cache());
    let meter: Meter = std::sync::Arc::new(|_| {});
    match carry(needed, source.as_ref(), dest.as_ref(), &store, &meter) {
        Ok(_) => None,
        Err(CarryError::Missing(missing)) => Some(HookResult::reject(
            missing
                .iter()
                .map(|m| {
                    format!(
                        "gfbridge: lfs_missing_content {}: `{}` points at LFS object {}, which no LFS server holds; push it with `git lfs push --all`",
                        m.commit.short(),
                        m.path,
                        m.pointer.oid
                    )
                })
                .collect(),
        )),
        Err(CarryError::Failed(why)) => Some(HookResult::reject(vec![format!(
            "gfbridge: lfs_transfer_failed: the LFS objects could not be copied to Git Fusion: {why}"
        )])),
    }
}

/// The preflight's findings per branch.
type Findings = BTreeMap<BranchName, Vec<Reason>>;

/// Returns the preflight's findings per branch and the LFS objects each branch's tracked
/// pointers name (none without a `[perforce]` section).
fn preflight(
    config: &Config,
    ws: &Workspace,
    repo: &Repository,
    proxied: &[Proxied],
) -> Result<(Findings, BTreeMap<BranchName, Vec<Needed>>), HookError> {
    let mut findings = BTreeMap::new();
    let mut needed = BTreeMap::new();
    let known = mirrored_tips(repo, ws)?;
    let known_ids: Vec<Oid> = known.iter().map(|(_, oid)| *oid).collect();
    // git's environment in the hook names the repository and its quarantined objects.
    let git = Git::in_hook(&config.bridge.git);
    let Some(settings) = &ws.perforce else {
        // No preflight without Git Fusion's settings; the specification's pointers are still
        // carried to Git Fusion's LFS server, when it has one.
        if ws.lfs == LfsMode::Off || crate::lfs::endpoint(ws, Side::Fusion).is_none() {
            return Ok((findings, needed));
        }
        for p in proxied {
            let range = Range { include: vec![p.new], exclude: known_ids.clone() };
            needed.insert(p.branch.clone(), spec_pointers(&git, None, repo, &range)?.1);
        }
        return Ok((findings, needed));
    };
    let facts = facts::load(settings, ws)?;
    let mut preflight = Preflight::new(config, &facts);
    for p in proxied {
        let range = Range { include: vec![p.new], exclude: known_ids.clone() };
        let mut growth = |first: Oid| {
            if p.expected.is_some() {
                return Ok(None);
            }
            let tips = known.iter().map(|(n, o)| (n, *o));
            crate::commits::growth(repo, first, tips)
                .map(Some)
                .map_err(|e| InspectError::git(Some(first), e))
        };
        let mut reasons = preflight.branch_reasons(&p.branch, p.expected.is_none());
        let mut stream = |each: EachCommit<'_>| for_each_commit(&git, None, &range, each);
        let found =
            preflight.commits_reasons(repo, &p.branch, &mut growth, &mut stream, &mut |_| {})?;
        reasons.extend(found);
        if !reasons.is_empty() {
            findings.insert(p.branch.clone(), reasons);
        }
        needed.insert(p.branch.clone(), preflight.take_lfs_needed());
    }
    Ok((findings, needed))
}

/// Returns the tips of the mirrored branches before this push: Git Fusion has those commits
/// already (this hook let nothing else in), so only commits beyond them are new to it.
fn mirrored_tips(repo: &Repository, ws: &Workspace) -> Result<Vec<(BranchName, Oid)>, HookError> {
    let walk_error =
        |e: git2::Error| HookError::Walk { refname: "refs/heads/*".into(), source: e.into() };
    let mut tips = Vec::new();
    for reference in repo.references_glob("refs/heads/*").map_err(walk_error)? {
        let reference = reference.map_err(walk_error)?;
        let branch = reference.name().ok().and_then(BranchName::from_full).and_then(Result::ok);
        if let (Some(branch), Some(target)) = (branch, reference.target()) {
            if any_match(&ws.branches, &branch) {
                tips.push((branch, Oid::from(target)));
            }
        }
    }
    Ok(tips)
}

/// Returns the lines rejecting `to_push` for the preflight's blocking findings (none: go on).
fn refusals(to_push: &[&Proxied], findings: &BTreeMap<BranchName, Vec<Reason>>) -> Vec<String> {
    let mut lines = Vec::new();
    for p in to_push {
        let blocking = findings.get(&p.branch).into_iter().flatten().filter(|r| r.blocks);
        for r in blocking {
            lines.push(format!(
                "gfbridge: {}: Git Fusion would refuse this: {}",
                p.branch,
                r.line()
            ));
        }
    }
    if !lines.is_empty() {
        lines.push(
            "gfbridge: fix the commits above (`gfbridge report` lists every finding), then push again"
                .into(),
        );
    }
    lines
}

/// Pushes every proxied update to Git Fusion in one atomic push and reads its answer.
fn proxy(
    git: &Git,
    repo: &Repository,
    ws: &Workspace,
    proxied: &[&Proxied],
    tags: &[(TagName, Oid)],
    mut notes: Vec<String>,
) -> HookResult {
    let mut updates: Vec<Update> = proxied
        .iter()
        .map(|p| Update {
            target: RefName::Branch(p.branch.clone()),
            expected: p.expected,
            new: p.new,
        })
        .collect();
    // New tags expect absence on Git Fusion: a tag never moves (docs/tags.md).
    updates.extend(tags.iter().map(|(tag, new)| Update {
        target: RefName::Tag(tag.clone()),
        expected: None,
        new: *new,
    }));
    let outcome = match remote::push(git, repo.path(), &ws.fusion_remote, &updates) {
        Ok(outcome) => outcome,
        Err(e) => return unreachable(ws, &e.to_string()),
    };
    let branches = proxied.iter().map(|p| {
        let dst = format!("refs/heads/{}", p.branch);
        Sent { stale: stale(&dst, p), dst, others: "branch" }
    });
    let new_tags = tags.iter().map(|(tag, _)| {
        let dst = format!("refs/tags/{tag}");
        let stale = format!("gfbridge: {dst}: Git Fusion already has this tag; tags never move");
        Sent { dst, stale, others: "ref" }
    });
    let problems = problems(branches.chain(new_tags), &outcome);
    if problems.is_empty() {
        let id = outcome.push_id.map(|n| format!(" (push {n})")).unwrap_or_default();
        let mut what = names(proxied);
        for (tag, _) in tags {
            what =
                if what.is_empty() { format!("tag {tag}") } else { format!("{what}, tag {tag}") };
        }
        notes.push(format!("gfbridge: Git Fusion accepted {what}{id}"));
        return HookResult::accept(notes);
    }
    let mut lines = problems;
    lines.extend(outcome.remote_messages.iter().map(|m| format!("gfbridge: Git Fusion said: {m}")));
    HookResult::reject(lines)
}

/// One ref this push sent to Git Fusion: its full name, what a refused lease means for it, and
/// the word for what else failed (`branch`, `ref`).
struct Sent {
    dst: String,
    stale: String,
    others: &'static str,
}

/// Returns one line per sent ref Git Fusion did not take.
fn problems(sent: impl IntoIterator<Item = Sent>, outcome: &PushOutcome) -> Vec<String> {
    let mut lines = Vec::new();
    for Sent { dst, stale, others } in sent {
        let line = match outcome.refs.iter().find(|r| r.dst == dst).map(|r| &r.result) {
            Some(RefResult::Updated | RefResult::UpToDate) => continue,
            Some(RefResult::Stale) => stale,
            Some(RefResult::Collateral) => {
                format!("gfbridge: {dst}: not sent, because another {others} of this push failed")
            }
            Some(RefResult::Refused(why)) => {
                format!("gfbridge: {dst}: Git Fusion refused it: {why}")
            }
            None => format!("gfbridge: {dst}: Git Fusion's answer did not mention it"),
        };
        lines.push(line);
    }
    lines
}

/// Returns the line for a lease Git Fusion's branch no longer matches.
fn stale(dst: &str, p: &Proxied) -> String {
    let what = match p.expected {
        Some(old) => format!(
            "Git Fusion's {} has moved on since you fetched (it is no longer at {})",
            p.branch,
            old.short()
        ),
        None => format!("Git Fusion already has a branch {} (created since you fetched)", p.branch),
    };
    format!("gfbridge: {dst}: {what}: pull first, merge or rebase, and push again")
}

fn unreachable(ws: &Workspace, error: &str) -> HookResult {
    HookResult::failed(&format!(
        "cannot push to Git Fusion ({}): {error}; try again later, or ask the bridge's admins",
        ws.fusion_remote
    ))
}

fn names(proxied: &[&Proxied]) -> String {
    proxied
        .iter()
        .map(|p| format!("{} ({})", p.branch, p.new.short()))
        .collect::<Vec<_>>()
        .join(", ")
}
