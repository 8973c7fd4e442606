//! Check `lfs` (docs/lfs.md): when a mirrored branch holds LFS content, both LFS endpoints
//! answer a batch request with the configured credentials and no per-object error (Git
//! Fusion answers 200 and refuses per object), Git Fusion's `git-lfs-enable` is yes and its
//! `http-url` set, and every branch of the repo's `p4gf_config` maps a top-level
//! `.gitattributes`.
//!
//! "Holds LFS content" is read from the workspace's cache: a mirrored tip whose top-level
//! `.gitattributes` gives some path `filter=lfs`. Tips the cache lacks are fetched first by the
//! caller; when they cannot be, the check is `skip`, never a pass.

use super::{check, Check, CheckId, Status};
use crate::cache::Cache;
use crate::config::Workspace;
use crate::fusion::facts::FusionFacts;
use crate::fusion::p4gf_config::{settings, Setting};
use crate::fusion::view::View;
use crate::lfs::attributes::LfsLines;
use crate::lfs::batch::{Client, ObjectState, Operation};
use crate::lfs::pointer::Pointer;
use crate::lfs::LfsMode;
use crate::oid::Oid;
use crate::plan::Side;

/// Returns check `lfs` for `ws`, whose mirrored tips (both sides) are `tips`; `unfetched`
/// says why tips the cache lacked could not be fetched.
pub fn lfs(
    ws: &Workspace,
    cache: Option<&Cache>,
    tips: &[Oid],
    facts: Option<&FusionFacts>,
    unfetched: Option<&str>,
) -> Check {
    let holds = cache.is_some_and(|c| tips.iter().any(|tip| tracks_lfs(c, *tip)));
    if !holds {
        // "None seen" is only a pass when every mirrored tip was looked into.
        let known = cache.is_some_and(|c| tips.iter().all(|t| c.has_commit(*t)));
        if !known {
            let why = unfetched.unwrap_or("the cache does not hold every mirrored tip");
            return check(
                CheckId::Lfs,
                Status::Skip,
                format!("not checked: the mirrored tips could not be read ({why}); make the remotes reachable, or run `gfbridge sync --dry-run` to fetch them"),
            );
        }
        return check(
            CheckId::Lfs,
            Status::Pass,
            "no LFS content: no mirrored branch's .gitattributes tracks paths with Git LFS",
        );
    }
    if ws.lfs == LfsMode::Off {
        return check(CheckId::Lfs, Status::Warn, "mirrored branches hold LFS content but lfs = \"off\": pointers are mirrored as plain files and no object is copied");
    }
    let mut problems = Vec::new();
    for side in [Side::Gitlab, Side::Fusion] {
        if let Err(why) = endpoint_answers(ws, side) {
            problems.push(why);
        }
    }
    match facts {
        Some(facts) => {
            let config = &facts.config;
            // Set in the repo's file under [perforce-to-git], a key has no effect: say where it
            // belongs, so the fix is not "set it" when it is set in the wrong place.
            let misplaced =
                config.ignored_repo_keys(&[settings::GIT_LFS_ENABLE.setting, settings::HTTP_URL]);
            let ignored = |setting: Setting| {
                if misplaced.contains(&setting) {
                    "; the repo's p4gf_config sets it under [perforce-to-git], a section Git Fusion ignores in a repo's file: move it to [@repo]"
                } else {
                    ""
                }
            };
            if !config.flag(settings::GIT_LFS_ENABLE) {
                problems.push(format!(
                    "Git Fusion's [perforce-to-git] git-lfs-enable is not yes{}",
                    ignored(settings::GIT_LFS_ENABLE.setting)
                ));
            }
            if config.effective(settings::HTTP_URL).is_none() {
                problems.push(format!(
                    "Git Fusion's [perforce-to-git] http-url is not set (its LFS server refuses every object){}",
                    ignored(settings::HTTP_URL)
                ));
            }
            for section in config.branches() {
                let maps = section
                    .view
                    .as_deref()
                    .and_then(|v| View::parse(v).ok())
                    .is_some_and(|v| v.depot_path(".gitattributes").is_some());
                if section.view.is_some() && !maps {
                    problems.push(format!("branch [{}] of the repo's p4gf_config does not map a top-level .gitattributes (Git Fusion: `Improperly configured branch views`)", section.id));
                }
            }
        }
        None => problems
            .push("Git Fusion's settings could not be read (no [perforce] section?)".to_string()),
    }
    if problems.is_empty() {
        check(CheckId::Lfs, Status::Pass, "mirrored branches hold LFS content; both LFS servers answer and Git Fusion is set up for LFS")
    } else {
        check(
            CheckId::Lfs,
            Status::Fail,
            format!("mirrored branches hold LFS content, but: {}", problems.join("; ")),
        )
    }
}

/// Returns whether the top-level `.gitattributes` of commit `tip` tracks something with LFS.
fn tracks_lfs(cache: &Cache, tip: Oid) -> bool {
    let repo = cache.repo();
    let Ok(commit) = repo.find_commit(tip.raw()) else { return false };
    let Ok(tree) = commit.tree() else { return false };
    let Some(entry) = tree.get_name(".gitattributes") else { return false };
    let Ok(blob) = repo.find_blob(entry.id()) else { return false };
    LfsLines::parse(blob.content()).tracks_any()
}

/// Asks `side`'s LFS server about an object no one has: any answer but a per-object error
/// other than "not found" means the endpoint and credentials work.
fn endpoint_answers(ws: &Workspace, side: Side) -> Result<(), String> {
    let name = side.as_str();
    let endpoint = crate::lfs::endpoint(ws, side).ok_or_else(|| {
        format!("{name}: no LFS endpoint (the remote is not http(s); set {name}_lfs_url)")
    })?;
    let client = Client::new(&endpoint).map_err(|e| e.to_string())?;
    let probe = Pointer { oid: "0".repeat(64).parse().expect("64 hex digits"), size: 0 };
    let answer = client.batch(Operation::Download, &[probe]).map_err(|e| e.to_string())?;
    match answer.first().map(|(_, state)| state) {
        Some(ObjectState::Failed { code, message }) => {
            Err(format!("{name}: LFS server {} refuses: error {code}: {message}", client.server()))
        }
        _ => Ok(()),
    }
}
