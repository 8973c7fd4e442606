//! `gfbridge audit` (docs/audit.md): holds the owners gfbridge predicted for the commits it
//! pushed (`predictions.jsonl`) to what Perforce recorded — Git Fusion's commit object for each
//! commit, and the owner of the changelist it names. Two `p4` calls per workspace, however
//! many commits: one `files`, one `describe`.
//!
//! Owns the judgement (`judge`, pure) and gathering what it needs; must not write anything.

use std::collections::{BTreeSet, HashMap};

use crate::config::Workspace;
use crate::fusion::objects::{change_per_commit, commit_pattern, parse_object_path};
use crate::oid::Oid;
use crate::perforce::{P4Error, P4};
use crate::refname::BranchName;
use crate::state::predictions::{self, Prediction, PredictionsError, Window};
use crate::state::WorkspaceDir;

/// How many recorded commits an audit reads by default, per workspace.
pub const DEFAULT_LAST: usize = 1000;

/// What Perforce recorded against what was predicted, for one commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The changelist's owner is the predicted user.
    Match,
    /// It is another user.
    Mismatch,
    /// Perforce has no commit object for it (or no such changelist): it never got the commit.
    Missing,
}

/// One audited commit.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Audited {
    /// The commit.
    pub commit: Oid,
    /// The branch it was pushed to.
    pub branch: BranchName,
    /// The changelist Perforce holds it in, `null` when missing.
    pub change: Option<u64>,
    /// That changelist's owner, `null` when missing.
    pub owner: Option<String>,
    /// The owner gfbridge predicted (`null`: Git Fusion was predicted to refuse the author).
    pub predicted_owner: Option<String>,
    /// `match`, `mismatch` or `missing`.
    pub result: Verdict,
}

/// How many commits came out each way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Summary {
    /// Owner as predicted.
    #[serde(rename = "match")]
    pub matched: usize,
    /// Another owner.
    pub mismatch: usize,
    /// Not in Perforce.
    pub missing: usize,
}

impl Summary {
    /// Returns the counts of `rows`.
    pub fn of(rows: &[Audited]) -> Summary {
        let count = |v: Verdict| rows.iter().filter(|r| r.result == v).count();
        Summary {
            matched: count(Verdict::Match),
            mismatch: count(Verdict::Mismatch),
            missing: count(Verdict::Missing),
        }
    }

    /// Returns true when nothing is off.
    pub fn clean(&self) -> bool {
        self.mismatch == 0 && self.missing == 0
    }
}

/// The error returned when a workspace cannot be audited.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The workspace has no Perforce server to ask.
    #[error("workspace {0}: no [perforce] section, so there is no Perforce server to audit against (add [perforce] with its port and user)")]
    NoPerforce(String),
    /// The recorded predictions cannot be read.
    #[error("cannot read the recorded predictions: {0}")]
    Predictions(#[from] PredictionsError),
    /// Perforce could not be asked.
    #[error("cannot read what Perforce recorded: {0}")]
    P4(#[from] P4Error),
}

impl crate::errors::Classified for AuditError {
    fn exit(&self) -> crate::exit::Exit {
        use crate::exit::Exit;
        match self {
            AuditError::NoPerforce(_) => Exit::Usage,
            AuditError::Predictions(_) | AuditError::P4(_) => Exit::Failure,
        }
    }
}

/// Returns the audit of `ws`'s recorded commits in `window`.
pub fn audit_workspace(
    cache_dir: &std::path::Path,
    ws: &Workspace,
    window: &Window,
) -> Result<Vec<Audited>, AuditError> {
    let settings = ws.perforce.as_ref().ok_or_else(|| AuditError::NoPerforce(ws.name.clone()))?;
    let dir = WorkspaceDir::new(cache_dir, &ws.name);
    let recorded = latest_per_commit(predictions::read(&dir.predictions(), window)?);
    if recorded.is_empty() {
        return Ok(Vec::new());
    }
    let p4 = P4::new(settings);
    let commits: Vec<Oid> = recorded.iter().map(|p| p.commit).collect();
    let changes = changes_of(&p4, &ws.fusion_repo, &commits)?;
    let wanted: BTreeSet<u64> = changes.values().copied().collect();
    let owners: HashMap<u64, String> =
        p4.owners(&wanted.into_iter().collect::<Vec<_>>())?.into_iter().collect();
    Ok(judge(&recorded, &changes, &owners))
}

/// Returns the changelist Perforce holds each of `commits` in, as Git Fusion's commit objects
/// in `repo` say (one `p4 files` call); commits it has no record of are left out.
pub fn changes_of(p4: &P4, repo: &str, commits: &[Oid]) -> Result<HashMap<Oid, u64>, P4Error> {
    let patterns: Vec<String> = commits.iter().map(|c| commit_pattern(repo, *c)).collect();
    let objects = p4.files(&patterns)?;
    Ok(change_per_commit(objects.iter().filter_map(|path| parse_object_path(path))))
}

/// Returns each commit's latest prediction, in the order the commits were first pushed.
fn latest_per_commit(lines: Vec<Prediction>) -> Vec<Prediction> {
    let mut at: HashMap<Oid, usize> = HashMap::new();
    let mut kept: Vec<Prediction> = Vec::new();
    for line in lines {
        match at.get(&line.commit) {
            Some(&index) => kept[index] = line,
            None => {
                at.insert(line.commit, kept.len());
                kept.push(line);
            }
        }
    }
    kept
}

/// Judges each prediction against the change Perforce holds its commit in and that change's
/// owner.
pub fn judge(
    recorded: &[Prediction],
    changes: &HashMap<Oid, u64>,
    owners: &HashMap<u64, String>,
) -> Vec<Audited> {
    recorded
        .iter()
        .map(|p| {
            let change = changes.get(&p.commit).copied();
            let owner = change.and_then(|c| owners.get(&c)).cloned();
            let result = match &owner {
                None => Verdict::Missing,
                Some(owner) if Some(owner) == p.predicted_owner.as_ref() => Verdict::Match,
                Some(_) => Verdict::Mismatch,
            };
            Audited {
                commit: p.commit,
                branch: p.branch.clone(),
                change: change.filter(|_| owner.is_some()),
                owner,
                predicted_owner: p.predicted_owner.clone(),
                result,
            }
        })
        .collect()
}
