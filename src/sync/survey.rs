//! Learning where both remotes stand, at the cost docs/architecture.md allows: one `ls-remote` per
//! remote (both at once), and a fetch only of tips the cache lacks.
//!
//! Must not decide actions; it hands `Tips` per mirrored branch to the planner.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

use crate::cache::{Cache, PREFETCH_NS};
use crate::config::pattern::{any_match, BranchPattern};
use crate::config::Workspace;
use crate::git::remote::{self, Refs, RemoteError, TagTip, Wanted};
use crate::git::runner::progress_counts;
use crate::git::{Git, RemoteUrl};
use crate::gitlab::{GitlabClient, ProtectedRule};
use crate::oid::Oid;
use crate::plan::{Side, Tips};
use crate::progress::{Progress, Step};
use crate::refname::{BranchName, TagName};

use super::SyncError;

/// The mirrored branches of a workspace with their tips, all present in the cache.
#[derive(Debug, Default)]
pub struct Survey {
    /// Branch name → tips and base.
    pub branches: BTreeMap<BranchName, Tips>,
    /// Mirrored tag → what GitLab and Git Fusion list for it.
    pub tags: BTreeMap<TagName, (Option<TagTip>, Option<TagTip>)>,
    /// Branches that vanished from a remote between `ls-remote` and the fetch: left out of
    /// `branches`, to be listed and planned again (the remote moved during the run).
    pub moved: BTreeSet<BranchName>,
}

impl Survey {
    /// Returns every tip `side` has among the mirrored branches.
    pub fn tips_on(&self, side: Side) -> Vec<Oid> {
        self.branches.values().filter_map(|t| t.on(side)).collect()
    }
}

/// What listing the remotes found: both remotes' branches (and tags, when the workspace
/// mirrors some) and, when they decide, GitLab's protected-branch rules.
#[derive(Clone, Debug)]
pub struct Listed {
    /// GitLab's refs.
    pub gitlab: Refs,
    /// Git Fusion's refs.
    pub fusion: Refs,
    /// GitLab's protected-branch rules (`None` when the allowlist alone decides).
    pub rules: Option<Vec<ProtectedRule>>,
}

/// Where a survey learns the remotes' state.
pub struct Sources<'a> {
    /// GitLab's API, when its protection rules decide.
    pub gitlab: Option<&'a GitlabClient>,
    /// What a caller listed moments ago (the report's checks); without it both remotes are
    /// asked.
    pub listed: Option<Listed>,
    /// Branches a webhook announced, fetched while the remotes are listed.
    pub prefetch: &'a [Announced],
}

/// Returns the survey of `ws`'s mirrored branches, limited to `only` when given.
pub fn survey(
    git: &Git,
    ws: &Workspace,
    cache: &Cache,
    only: Option<&BTreeSet<BranchName>>,
    sources: Sources<'_>,
    progress: &Progress,
) -> Result<Survey, SyncError> {
    let listed = match sources.listed {
        Some(known) => known,
        None => list_all(git, ws, cache, sources.gitlab, sources.prefetch)?,
    };
    let Listed { gitlab: gitlab_refs, fusion: fusion_refs, rules } = listed;
    let (gitlab_tips, fusion_tips) = (gitlab_refs.branches, fusion_refs.branches);
    let rules = rules.map(|r| patterns_of(&r));
    // An empty GitLab project has no protection rules yet: GitLab creates the default
    // branch's only after the first push. Branches the allowlist names exactly are then
    // mirrored as if protected, so the project gets filled (docs/operations.md).
    let empty_project = gitlab_tips.is_empty();
    let named = |name: &BranchName| ws.branches.iter().any(|p| p.is_exact() && p.matches(name));
    let protected = |name: &BranchName| {
        rules.as_ref().is_none_or(|r| any_match(r, name)) || (empty_project && named(name))
    };
    let mirrored = |name: &BranchName| {
        any_match(&ws.branches, name) && protected(name) && only.is_none_or(|o| o.contains(name))
    };
    let names: BTreeSet<&BranchName> =
        gitlab_tips.keys().chain(fusion_tips.keys()).filter(|n| mirrored(n)).collect();
    let mut tips = BTreeMap::new();
    for name in names {
        let base = cache.base(name)?;
        let (gitlab, fusion) = (gitlab_tips.get(name).copied(), fusion_tips.get(name).copied());
        tips.insert(name.clone(), Tips { gitlab, fusion, base });
    }
    // Tags are surveyed only in a run over every branch (`-b` limits a run to branches).
    let mut tags = BTreeMap::new();
    if only.is_none() {
        let names = gitlab_refs.tags.keys().chain(fusion_refs.tags.keys());
        for name in names.filter(|n| any_match(&ws.tags, n)) {
            let pair = (gitlab_refs.tags.get(name).copied(), fusion_refs.tags.get(name).copied());
            tags.insert(name.clone(), pair);
        }
    }
    let mut survey = Survey { branches: tips, tags, moved: BTreeSet::new() };
    for (side, url) in [(Side::Gitlab, &ws.gitlab_remote), (Side::Fusion, &ws.fusion_remote)] {
        bring_into_cache(git, cache, side, url, &mut survey, progress)?;
    }
    Ok(survey)
}

/// A branch GitLab announced as moved (a push webhook), with the commit the announcement
/// says it now points at: fetched early, by that id when known (no ref listing round), into
/// the cache's prefetch namespace. What is planned comes from `ls-remote` alone; a tip that
/// moved again is fetched then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announced {
    /// The branch.
    pub branch: BranchName,
    /// The commit the announcement named, when it named one.
    pub tip: Option<Oid>,
}

/// A remote's branches and their tips, as `ls-remote` listed them.
pub type Listing = BTreeMap<BranchName, Oid>;

/// Asks both remotes for their branches, and GitLab for its protected-branch rules when
/// they decide, all at the same time: a no-op sync costs one round trip. Branches announced
/// by a webhook are fetched meanwhile.
fn list_all(
    git: &Git,
    ws: &Workspace,
    cache: &Cache,
    gitlab: Option<&GitlabClient>,
    prefetch: &[Announced],
) -> Result<Listed, SyncError> {
    let listing = |side: Side, url: &RemoteUrl| {
        remote::list_refs(git, url, !ws.tags.is_empty())
            .map_err(|source| SyncError::Remote { side, source })
    };
    std::thread::scope(|scope| {
        let fusion = scope.spawn(|| listing(Side::Fusion, &ws.fusion_remote));
        let rules = scope.spawn(|| gitlab.map(|client| protected_rules(client, ws)).transpose());
        let cache_dir = cache.path();
        scope.spawn(|| prefetch_announced(git, ws, cache_dir, prefetch));
        let gitlab_tips = listing(Side::Gitlab, &ws.gitlab_remote);
        let fusion = fusion.join().expect("ls-remote thread does not panic");
        let rules = rules.join().expect("GitLab API thread does not panic");
        Ok(Listed { gitlab: gitlab_tips?, fusion: fusion?, rules: rules? })
    })
}

/// Fetches the allowlisted branches a webhook announced into the prefetch namespace. A failure
/// (a deleted branch, say) costs nothing: the normal fetch after the listing still runs.
fn prefetch_announced(git: &Git, ws: &Workspace, cache_dir: &Path, announced: &[Announced]) {
    let mirrored = announced.iter().filter(|a| any_match(&ws.branches, &a.branch));
    let by_id: Vec<Wanted<'_>> = mirrored
        .clone()
        .map(|a| a.tip.map_or(Wanted::Branch(&a.branch), |tip| Wanted::Tip(&a.branch, tip)))
        .collect();
    if by_id.is_empty() {
        return;
    }
    let fetch = |wanted: &[Wanted<'_>]| {
        remote::fetch(git, cache_dir, &ws.gitlab_remote, PREFETCH_NS, wanted, None)
    };
    // A server that serves only advertised tips (protocol v0) refuses an id it no longer
    // lists: the branches are then fetched by name.
    if let Err(e) = fetch(&by_id) {
        tracing::debug!(workspace = %ws.name, "prefetch of announced tips failed: {e}");
        let by_name: Vec<Wanted<'_>> = mirrored.map(|a| Wanted::Branch(&a.branch)).collect();
        if by_name != by_id {
            if let Err(e) = fetch(&by_name) {
                tracing::debug!(workspace = %ws.name, "prefetch of announced branches failed: {e}");
            }
        }
    }
}

/// Returns GitLab's protected-branch rules of the workspace's project.
fn protected_rules(client: &GitlabClient, ws: &Workspace) -> Result<Vec<ProtectedRule>, SyncError> {
    let project = ws.gitlab_project.as_deref().expect("config validation requires gitlab_project");
    Ok(client.protected_branches(project)?)
}

/// Returns GitLab's rules compiled with the same wildcard rule as the allowlist (GitLab's own).
fn patterns_of(rules: &[ProtectedRule]) -> Vec<BranchPattern> {
    // A rule GitLab holds cannot be an invalid pattern for us; skip any that is, loudly.
    rules
        .iter()
        .filter_map(|r| {
            BranchPattern::new(&r.name)
                .map_err(|e| tracing::warn!(rule = %r.name, "ignoring GitLab rule: {e}"))
                .ok()
        })
        .collect()
}

/// Fetches the tips of `side` that the cache lacks, then records every tip of that side in
/// the cache's own namespace. The listed tips are fetched by id; when the server refuses
/// that, by name, and plans then use what was fetched, which may be newer than ls-remote.
fn bring_into_cache(
    git: &Git,
    cache: &Cache,
    side: Side,
    url: &RemoteUrl,
    survey: &mut Survey,
    progress: &Progress,
) -> Result<(), SyncError> {
    // A tip no cache ref points at is fetched, even when its commit is present: a fetch
    // stopped halfway can leave a commit without its trees and blobs. git's fetch then finds
    // locally what is there and asks the remote only for what is not.
    let lacking = |survey: &Survey| -> Result<Vec<BranchName>, SyncError> {
        // Every ref's target is read only when a present tip is not the branch's own
        // tracked one (after a push, say): a no-op over many branches reads one ref each.
        let mut complete: Option<HashSet<Oid>> = None;
        let mut missing = Vec::new();
        for (name, tips) in &survey.branches {
            let Some(oid) = tips.on(side) else { continue };
            if cache.tracked(side, name)? == Some(oid) {
                continue;
            }
            if !cache.has_commit(oid) {
                missing.push(name.clone());
                continue;
            }
            let known = match &complete {
                Some(tips) => tips,
                None => complete.insert(cache.ref_tips()?),
            };
            if !known.contains(&oid) {
                missing.push(name.clone());
            }
        }
        Ok(missing)
    };
    let mut missing = lacking(survey)?;
    let seedable = !missing.is_empty() && cache.is_empty()?;
    if let Some(first) = missing.first().filter(|_| seedable) {
        let step = progress.step(format!("seeding the cache from {}", side.as_str()), "objects");
        let mut sink = meter(&step);
        let sink = progress.reports().then_some(&mut sink as &mut dyn FnMut(&str));
        seed(git, cache, side, url, first, survey, sink)?;
        missing = lacking(survey)?;
    }
    let missing: Vec<&BranchName> = missing.iter().collect();
    if !missing.is_empty() {
        let label = format!("fetching {} branch(es) from {}", missing.len(), side.as_str());
        let step = progress.step(label, "objects");
        let mut sink = meter(&step);
        let sink = progress.reports().then_some(&mut sink as &mut dyn FnMut(&str));
        let fetch = |wanted: &[Wanted<'_>], sink: remote::OnProgress<'_>| {
            remote::fetch(git, cache.path(), url, Cache::namespace(side), wanted, sink)
        };
        let tips: Vec<Wanted<'_>> = missing
            .iter()
            .filter_map(|b| survey.branches[*b].on(side).map(|oid| Wanted::Tip(b, oid)))
            .collect();
        if let Err(e) = fetch(&tips, sink) {
            // A protocol v0 server serves only current tips: one moved or vanished since the
            // listing. Fetched by name (without a meter: rare), the rest still arrive.
            tracing::debug!(side = side.as_str(), "fetching listed tips by id failed: {e}");
            let remote_error = |e| SyncError::Remote { side, source: RemoteError::Git(e) };
            let names: Vec<Wanted<'_>> = missing.iter().map(|b| Wanted::Branch(b)).collect();
            match fetch(&names, None) {
                Ok(()) => {}
                // A branch vanished after ls-remote listed it: fetch the others one by one,
                // so one deleted branch does not stop the rest of the workspace.
                Err(e) if e.missing_remote_ref() => {
                    for branch in &missing {
                        match fetch(&[Wanted::Branch(branch)], None) {
                            Ok(()) => {}
                            Err(e) if e.missing_remote_ref() => {
                                survey.moved.insert((*branch).clone());
                            }
                            Err(e) => return Err(remote_error(e)),
                        }
                    }
                }
                Err(e) => return Err(remote_error(e)),
            }
        }
    }
    let moved = survey.moved.clone();
    survey.branches.retain(|name, _| !moved.contains(name));
    let fetched: BTreeSet<BranchName> =
        missing.into_iter().filter(|s| !moved.contains(*s)).cloned().collect();
    for (name, tips) in survey.branches.iter_mut() {
        let Some(listed) = tips.on(side) else {
            continue;
        };
        if fetched.contains(name) {
            let tip = cache.tracked(side, name)?.unwrap_or(listed);
            set_tip(tips, side, tip);
        } else {
            cache.track(side, name, listed)?;
        }
    }
    Ok(())
}

/// Fills an empty cache with one clone of `branch` (see `remote::clone_branch`), records that
/// branch's tip, and removes the temporary clone so no remote URL stays on disk.
fn seed(
    git: &Git,
    cache: &Cache,
    side: Side,
    url: &RemoteUrl,
    branch: &BranchName,
    survey: &mut Survey,
    on_progress: Option<&mut dyn FnMut(&str)>,
) -> Result<(), SyncError> {
    let temp = cache.path().with_extension("seed");
    let state =
        |source: std::io::Error| SyncError::Dir { action: "clear", path: temp.clone(), source };
    if temp.exists() {
        std::fs::remove_dir_all(&temp).map_err(state)?;
    }
    let cloned = remote::clone_branch(git, url, branch, &temp, on_progress)
        .map_err(|e| SyncError::Remote { side, source: RemoteError::Git(e) })
        .and_then(|()| Ok(cache.adopt_packs(&temp, branch)?));
    let removed = std::fs::remove_dir_all(&temp);
    let tip = cloned?;
    removed.map_err(state)?;
    if let (Some(tip), Some(tips)) = (tip, survey.branches.get_mut(branch)) {
        cache.track(side, branch, tip)?;
        set_tip(tips, side, tip);
    }
    Ok(())
}

/// Returns a sink that shows git's progress meters on `step` (`Receiving objects: 450/1000`).
fn meter(step: &Step) -> impl FnMut(&str) + '_ {
    move |fragment| {
        if let Some((phase, done, total)) = progress_counts(fragment) {
            step.phase(phase);
            step.set(done, total);
        }
    }
}

fn set_tip(tips: &mut Tips, side: Side, oid: Oid) {
    match side {
        Side::Gitlab => tips.gitlab = Some(oid),
        Side::Fusion => tips.fusion = Some(oid),
    }
}
