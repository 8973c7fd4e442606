//! The preflight step of a run (docs/git-fusion.md): Git Fusion's facts read on first need, and
//! every outgoing commit of a push to Git Fusion inspected before it is made.
//!
//! Must not push or decide actions; the rules are `fusion::preflight`.

use std::sync::Arc;

use super::analyse::push_range;
use super::survey::Survey;
use super::{Run, SyncError};
use crate::fusion::preflight::{EachCommit, InspectError, Preflight};
use crate::git::log::for_each_commit;
use crate::git::Git;
use crate::lfs::transfer::Needed;
use crate::oid::Oid;
use crate::outcome::{BranchPlan, Reason};
use crate::perforce::facts;
use crate::progress::Progress;
use crate::reason::Code;

impl Run<'_> {
    /// Adds the preflight's findings (docs/git-fusion.md) to a push to Git Fusion, lists its
    /// commits as the preflight reads them, and returns the LFS objects its tracked pointers
    /// name (docs/lfs.md). Without a `[perforce]` section there is nothing to check against:
    /// nothing is read or added, and `None` is returned.
    pub(super) fn preflight(
        &mut self,
        plan: &mut BranchPlan,
        survey: &Survey,
        git: &Git,
        progress: &Progress,
    ) -> Result<Option<Vec<Needed>>, SyncError> {
        let Some(settings) = &self.ws.perforce else { return Ok(None) };
        let facts = match self.facts.get() {
            Some(facts) => facts,
            None => {
                let loaded = Arc::new(facts::load(settings, self.ws)?);
                if let Some(slot) = &self.opts.facts_slot {
                    *super::facts_in(slot) = Some(Arc::clone(&loaded));
                }
                self.facts.get_or_init(|| Some(loaded))
            }
        };
        let Some(facts) = facts.as_ref() else { return Ok(None) };
        let preflight = self.preflight.get_or_insert_with(|| Preflight::new(self.config, facts));
        plan.reasons.extend(preflight.branch_reasons(&plan.name, plan.action.new_branch()));
        let step = progress
            .step(format!("{}: checking {} for Git Fusion", self.ws.name, plan.name), "commits");
        let mut checked = |n: usize| step.set(n as u64, None);
        let (repo, dir) = (self.cache.repo(), Some(self.cache.path()));
        // A new branch no section defines takes the view of the branch it grows from.
        let new_branch = plan.action.new_branch();
        let mut growth = |first: Oid| {
            if !new_branch {
                return Ok(None);
            }
            let tips = survey.branches.iter().filter_map(|(n, t)| Some((n, t.fusion?)));
            crate::commits::growth(repo, first, tips)
                .map(Some)
                .map_err(|e| InspectError::git(Some(first), e))
        };
        // git walks the range itself; the commits are listed as they stream past.
        let range = push_range(survey, plan);
        let mut commits = Vec::new();
        let mut stream = |each: EachCommit<'_>| {
            for_each_commit(git, dir, &range, |oid, info| {
                commits.push(oid);
                each(oid, info)
            })
        };
        let found =
            preflight.commits_reasons(repo, &plan.name, &mut growth, &mut stream, &mut checked)?;
        plan.commits = commits;
        plan.reasons.extend(found);
        self.owners.insert(plan.name.clone(), preflight.take_owners());
        Ok(Some(preflight.take_lfs_needed()))
    }

    /// Returns `gitlab_push_denied` when GitLab says the bridge's token user may not push to
    /// the branch (the branches API's `can_push`: "No one" may push, say). Only GitLab's own
    /// answer blocks; without the API (`protected_from = "config"`) nothing is asked.
    pub(super) fn gitlab_push_access(
        &self,
        plan: &BranchPlan,
    ) -> Result<Option<Reason>, SyncError> {
        let (Some(client), Some(project)) = (self.gitlab, self.ws.gitlab_project.as_deref()) else {
            return Ok(None);
        };
        if client.can_push(project, &plan.name)? != Some(false) {
            return Ok(None);
        }
        let message = format!(
            "GitLab says the bridge's account may not push to {} (its protection allows no push for it); the push would be refused",
            plan.name
        );
        Ok(Some(Reason::new(Code::GitlabPushDenied, None, message, true)))
    }
}
