//! Talking to a remote through the git CLI: list tips, fetch into the cache, push atomically.
//!
//! Owns the exact git command lines of docs/architecture.md. Must not decide what to push.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::porcelain::{self, RefStatus};
use super::runner::{failure, Git, GitError};
use super::url::RemoteUrl;
use crate::git_args;
use crate::oid::Oid;
use crate::refname::{BranchName, RefName, TagName, TAGS};

/// The error returned when a remote's answer cannot be understood.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// git failed.
    #[error(transparent)]
    Git(#[from] GitError),
    /// `ls-remote` printed a line that is not `<sha>\t<ref>`.
    #[error("`git ls-remote {remote}` printed an unexpected line: {line}")]
    BadListing { remote: String, line: String },
}

/// Returns the branches `git ls-remote --heads` lists for `remote`.
pub fn list_branches(
    git: &Git,
    remote: &RemoteUrl,
) -> Result<BTreeMap<BranchName, Oid>, RemoteError> {
    Ok(list_refs(git, remote, false)?.branches)
}

/// A tag as `ls-remote` lists it: the object the ref names (a tag object for an annotated
/// tag) and what it peels to (the tagged commit, tree or blob; the same for a lightweight tag).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TagTip {
    /// What `refs/tags/<name>` points at.
    pub object: Oid,
    /// What the tag finally names.
    pub peeled: Oid,
}

/// What one `ls-remote` lists: branches, and tags when asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refs {
    /// Branch → tip.
    pub branches: BTreeMap<BranchName, Oid>,
    /// Tag → what it names (empty unless tags were asked for).
    pub tags: BTreeMap<TagName, TagTip>,
}

/// Returns the branches, and with `tags` the tags, of `remote`, in one `git ls-remote`.
pub fn list_refs(git: &Git, remote: &RemoteUrl, tags: bool) -> Result<Refs, RemoteError> {
    let mut args = vec![OsString::from("ls-remote"), "--heads".into()];
    if tags {
        args.push("--tags".into());
    }
    args.push(remote.as_git_arg().into());
    let stdout = git.for_remote(remote).run(None, &args)?;
    parse_ls_remote_refs(&stdout).map_err(|line| RemoteError::BadListing {
        remote: remote.to_string(),
        line: line.to_string(),
    })
}

/// Returns the branches of `git ls-remote` output (`<sha>\t<ref>` lines; refs outside
/// `refs/heads/` are skipped), or the first line that is not of that shape.
pub fn parse_ls_remote(stdout: &str) -> Result<BTreeMap<BranchName, Oid>, &str> {
    Ok(parse_ls_remote_refs(stdout)?.branches)
}

/// Returns the branches and tags of `git ls-remote` output, or the first line that is not of
/// that shape.
///
/// A name git itself would refuse (only a foreign server can list one) is left out with a
/// warning: it cannot be fetched or pushed safely, and must not stop the others.
pub fn parse_ls_remote_refs(stdout: &str) -> Result<Refs, &str> {
    let mut refs = Refs::default();
    let mut peeled = BTreeMap::new();
    for line in stdout.lines() {
        let (sha, name) = line.split_once('\t').ok_or(line)?;
        let oid: Oid = sha.parse().map_err(|_| line)?;
        match BranchName::from_full(name) {
            Some(Ok(branch)) => drop(refs.branches.insert(branch, oid)),
            Some(Err(e)) => tracing::warn!("ls-remote: left out: {e}"),
            None => {}
        }
        if let Some(tag) = name.strip_prefix(TAGS).and_then(|t| t.strip_suffix("^{}")) {
            peeled.insert(tag.to_string(), oid);
        }
        match TagName::from_full(name) {
            Some(Ok(tag)) => drop(refs.tags.insert(tag, TagTip { object: oid, peeled: oid })),
            Some(Err(e)) => tracing::warn!("ls-remote: left out: {e}"),
            None => {}
        }
    }
    for (name, tip) in refs.tags.iter_mut() {
        if let Some(target) = peeled.get(name.as_str()) {
            tip.peeled = *target;
        }
    }
    Ok(refs)
}

/// A sink for git's progress meters; `None` runs git `--quiet`.
pub type OnProgress<'a> = Option<&'a mut dyn FnMut(&str)>;

/// Runs `args` (which hold a `--quiet` placeholder) quietly, or with `--progress` streamed to
/// `on_progress`.
fn run_reporting(
    git: &Git,
    git_dir: Option<&Path>,
    mut args: Vec<OsString>,
    on_progress: OnProgress<'_>,
) -> Result<(), GitError> {
    match on_progress {
        None => git.run(git_dir, &args).map(drop),
        Some(sink) => {
            for arg in args.iter_mut().filter(|a| *a == "--quiet") {
                *arg = "--progress".into();
            }
            git.run_with_progress(git_dir, &args, sink)
        }
    }
}

/// What to fetch of one branch: its current tip by name, or the commit a listing showed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wanted<'a> {
    /// Whatever `refs/heads/<branch>` points at when the fetch runs.
    Branch(&'a BranchName),
    /// This commit, which `ls-remote` listed as the branch's tip.
    Tip(&'a BranchName, Oid),
    /// Whatever `refs/tags/<tag>` points at (a tag object, or a lightweight tag's target).
    Tag(&'a TagName),
}

/// Fetches `wanted` from `remote` into `<namespace><branch>` refs of the cache at `git_dir`.
///
/// Fetching listed tips by id skips the server's ref listing (protocol v2 then needs no
/// `ls-refs` round: 57 ms instead of 98 ms for one new commit over `git daemon`); a protocol
/// v0 server serves only advertised tips, so a tip that moved since is refused — the caller
/// then fetches by name.
pub fn fetch(
    git: &Git,
    git_dir: &Path,
    remote: &RemoteUrl,
    namespace: &str,
    wanted: &[Wanted<'_>],
    on_progress: OnProgress<'_>,
) -> Result<(), GitError> {
    // Housekeeping after a fetch stays in this run: a detached gc would outlive a crash and
    // race the next run for the cache. It is asked for only when due: git would otherwise
    // start a process to find that there is nothing to do.
    let mut args = if housekeeping_due(git_dir) {
        git_args!["-c", "gc.autoDetach=false", "-c", "maintenance.autoDetach=false", "fetch"]
    } else {
        git_args!["fetch", "--no-auto-maintenance"]
    };
    args.extend(git_args!["--quiet", "--no-tags", "--no-write-fetch-head"]);
    args.push(remote.as_git_arg().into());
    // Forced: these refs are the cache's own copy of the remote, never a remote branch.
    args.extend(wanted.iter().map(|w| {
        OsString::from(match w {
            Wanted::Branch(b) => format!("+refs/heads/{b}:{namespace}{b}"),
            Wanted::Tip(b, oid) => format!("+{oid}:{namespace}{b}"),
            Wanted::Tag(t) => format!("+refs/tags/{t}:{namespace}{t}"),
        })
    }));
    run_reporting(&git.for_remote(remote), Some(git_dir), args, on_progress)
}

/// Returns true when `git maintenance run --auto` would do something in the repository at
/// `git_dir`, by git's own test at its defaults (gfbridge's cache sets neither `gc.auto` nor
/// `gc.autoPackLimit`, and its maintenance runs only the `gc` task): more loose objects than
/// `gc.auto` (6,700) allows, estimated as git does from the `objects/17` directory, or more
/// packs than `gc.autoPackLimit` (50). Unreadable counts mean due: git then decides.
pub fn housekeeping_due(git_dir: &Path) -> bool {
    let objects = git_dir.join("objects");
    // A directory git has not made yet holds nothing; one that cannot be read leaves the
    // decision to git.
    let count = |dir: PathBuf, wanted: fn(&str) -> bool| match std::fs::read_dir(dir) {
        Ok(entries) => Some(
            entries
                .filter_map(Result::ok)
                .filter(|e| wanted(&e.file_name().to_string_lossy()))
                .count(),
        ),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(0),
        Err(_) => None,
    };
    let loose = |name: &str| name.len() == 38 && name.bytes().all(|b| b.is_ascii_hexdigit());
    let pack = |name: &str| name.ends_with(".pack");
    match (count(objects.join("17"), loose), count(objects.join("pack"), pack)) {
        (Some(loose), Some(packs)) => too_much(loose, packs),
        _ => true,
    }
}

/// git's `gc --auto` thresholds: more than `ceil(6700 / 256)` loose objects in one of the 256
/// object directories, or more than 50 packs.
pub fn too_much(loose_in_one_directory: usize, packs: usize) -> bool {
    loose_in_one_directory > 6700_usize.div_ceil(256) || packs > 50
}

/// Clones only `branch` of `remote` into a new bare repository at `into`.
///
/// Used to seed an empty cache: unlike `fetch`, clone verifies connectivity while indexing
/// the pack instead of walking every object again afterwards (0.35 s on 80,000 objects).
/// `--no-local` makes a local source arrive as one pack too.
pub fn clone_branch(
    git: &Git,
    remote: &RemoteUrl,
    branch: &BranchName,
    into: &Path,
    on_progress: OnProgress<'_>,
) -> Result<(), GitError> {
    let mut args = git_args![
        "clone",
        "--bare",
        "--quiet",
        "--no-local",
        "--no-tags",
        "--single-branch",
        "--branch"
    ];
    args.push(branch.as_str().into());
    args.push(remote.as_git_arg().into());
    args.push(into.into());
    run_reporting(&git.for_remote(remote), None, args, on_progress)
}

/// One ref update of an atomic, compare-and-swap push.
#[derive(Clone, Debug)]
pub struct Update {
    /// The branch or tag.
    pub target: RefName,
    /// The value the remote must still have (`None`: the ref must not exist).
    pub expected: Option<Oid>,
    /// The object to set it to (a commit, or for a tag its tag object or target).
    pub new: Oid,
}

/// What a push returned.
#[derive(Clone, Debug)]
pub struct PushOutcome {
    /// Per-ref results, as git reported them.
    pub refs: Vec<RefStatus>,
    /// Git Fusion's push id, when the remote printed one.
    pub push_id: Option<u64>,
    /// What the remote printed, for messages.
    pub remote_messages: Vec<String>,
}

/// Pushes `updates` to `remote` in one `git push --atomic --porcelain` with a lease per ref.
///
/// Returns the per-ref results; refusals are results, not errors. Errors mean git could not
/// push at all (unreachable remote, bad credentials).
pub fn push(
    git: &Git,
    git_dir: &Path,
    remote: &RemoteUrl,
    updates: &[Update],
) -> Result<PushOutcome, GitError> {
    let mut args = git_args!["push", "--atomic", "--porcelain", "--no-verify"];
    for u in updates {
        let expected = u.expected.map(|o| o.to_string()).unwrap_or_default();
        args.push(format!("--force-with-lease={}:{expected}", u.target.full()).into());
    }
    args.push(remote.as_git_arg().into());
    // Not forced (`+`): the lease alone must never turn a push into a rewrite.
    args.extend(updates.iter().map(|u| OsString::from(format!("{}:{}", u.new, u.target.full()))));
    let output = git.for_remote(remote).output(Some(git_dir), &args)?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let refs = porcelain::parse_push(&stdout);
    if refs.is_empty() && !output.status.success() {
        return Err(failure(&args, &output));
    }
    Ok(PushOutcome {
        refs,
        push_id: porcelain::fusion_push_id(&stderr),
        remote_messages: porcelain::remote_messages(&stderr),
    })
}
