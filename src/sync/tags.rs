//! The tag step of a run (docs/tags.md, docs/git-fusion.md): each mirrored tag decided
//! (`tags::decide`), then checked against what the cache knows: a tag goes only where its
//! commit is, or arrives in this run's push; Git Fusion's name rule and what it would keep.
//! Tags to push join the branches' atomic push; the others are settled here.
//!
//! Must not push: `execute` does, for branches and tags alike.

use git2::ObjectType;

use super::survey::Survey;
use super::{record, Run, SyncError};
use crate::cache::Cache;
use crate::fusion::tags::name_refusal;
use crate::git::remote::{self, Wanted};
use crate::git::Git;
use crate::oid::Oid;
use crate::outcome::{Outcome, Reason, SkipCause, TagPlan, TagResult};
use crate::plan::{Ancestry, Side};
use crate::reason::Code;
use crate::refname::TagName;
use crate::state::journal::Entry;
use crate::tags::{decide, TagAction};

use super::execute::PushResult;
use crate::outcome::Planned;

impl Run<'_> {
    /// Plans every mirrored tag of `survey`. `arriving` holds, per side, the commits this
    /// run's branch pushes bring there. Settles the tags that write nothing (journalling
    /// refusals) and returns those to push.
    pub(super) fn plan_tags(
        &mut self,
        git: &Git,
        survey: &Survey,
        arriving: &[(Side, Oid)],
        journal: &mut Vec<Entry>,
    ) -> Result<Vec<TagPlan>, SyncError> {
        let mut plans = Vec::new();
        for (name, (gitlab, fusion)) in &survey.tags {
            let seen = self.cache.tag_seen(name)?;
            let action = decide(*gitlab, *fusion, seen);
            plans.push(TagPlan {
                name: name.clone(),
                gitlab: *gitlab,
                fusion: *fusion,
                action,
                reasons: Vec::new(),
            });
        }
        self.fetch_tags(git, &plans);
        let mut to_push = Vec::new();
        for mut plan in plans {
            self.check_tag(&mut plan, survey, arriving)?;
            if plan.action.target().is_some() && !plan.blocked() && !self.opts.dry_run {
                to_push.push(plan);
                continue;
            }
            let result = self.settle_tag_without_push(plan)?;
            if result.skip == Some(SkipCause::Attention) && !self.opts.dry_run {
                journal.push(record::tag_entry(self.run_id, &self.ws.name, &result));
            }
            self.tag_results.push(result);
        }
        Ok(to_push)
    }

    /// Brings into the cache the tag objects of tags to create that it lacks, from the side
    /// that has them. A tag that cannot be fetched is left for `check_tag` to report.
    fn fetch_tags(&self, git: &Git, plans: &[TagPlan]) {
        for side in [Side::Gitlab, Side::Fusion] {
            let wanted: Vec<&TagName> = plans
                .iter()
                .filter(|p| p.action == TagAction::Push { to: side.other() })
                .filter(|p| {
                    p.tip_on(side).is_some_and(|t| self.cache.object_kind(t.object).is_none())
                })
                .map(|p| &p.name)
                .collect();
            if wanted.is_empty() {
                continue;
            }
            let url = self.ws.remote(side);
            let fetch = |tags: &[&TagName]| {
                let wanted: Vec<Wanted<'_>> = tags.iter().map(|t| Wanted::Tag(t)).collect();
                remote::fetch(
                    git,
                    self.cache.path(),
                    url,
                    Cache::tag_namespace(side),
                    &wanted,
                    None,
                )
            };
            if fetch(&wanted).is_err() {
                // One tag deleted since the listing must not keep the others out.
                for tag in wanted {
                    if let Err(e) = fetch(&[tag]) {
                        tracing::warn!(tag = %tag, side = side.as_str(), "cannot fetch tag: {e}");
                    }
                }
            }
        }
    }

    /// Turns a `Push` into what Git Fusion and the destination's branches allow: `waiting`
    /// or `not_stored` when the tag's commit is not there (nor arriving in this run), and
    /// the reasons of docs/tags.md for tags going to Git Fusion.
    fn check_tag(
        &self,
        plan: &mut TagPlan,
        survey: &Survey,
        arriving: &[(Side, Oid)],
    ) -> Result<(), SyncError> {
        let TagAction::Push { to } = plan.action else { return Ok(()) };
        let tip = plan.tip_on(to.other()).expect("a tag to create is on the other side");
        let Some(kind) = self.cache.object_kind(tip.peeled) else {
            plan.action = TagAction::Waiting { to };
            return Ok(());
        };
        if to == Side::Fusion {
            if let Some(refusal) = name_refusal(&plan.name) {
                let message = format!(
                    "Git Fusion refuses the whole push for this name (`{refusal}`): the tag is left out"
                );
                plan.reasons.push(Reason::new(Code::InvalidTagName, None, message, true));
                return Ok(());
            }
        }
        if kind != ObjectType::Commit {
            if to == Side::Fusion {
                let what = if kind == ObjectType::Tree { "tree" } else { "blob" };
                let message = format!(
                    "a tag of a {what}: Git Fusion keeps it in git only (`Tag '{}' of {what} will not be stored in Perforce`)",
                    plan.name
                );
                plan.reasons.push(Reason::new(Code::TagNotInPerforce, None, message, false));
            }
            return Ok(());
        }
        let tips = survey.tips_on(to).into_iter();
        let tips = tips.chain(arriving.iter().filter(|(side, _)| *side == to).map(|(_, oid)| *oid));
        let mut reached = false;
        for tip_oid in tips {
            if self.cache.is_ancestor(tip.peeled, tip_oid)? {
                reached = true;
                break;
            }
        }
        if reached {
            return Ok(());
        }
        if to == Side::Fusion {
            let message = format!(
                "no mirrored Git Fusion branch reaches commit {}: Git Fusion would take the tag and drop it (`Tag '{}' of unknown commit {} not stored in Perforce nor in git`); it is pushed once a branch brings the commit",
                tip.peeled.short(),
                plan.name,
                tip.peeled.short()
            );
            plan.reasons.push(Reason::new(Code::TagNotStored, None, message, false));
            plan.action = TagAction::NotStored;
        } else {
            plan.action = TagAction::Waiting { to };
        }
        Ok(())
    }

    /// Returns the result of a tag plan that writes nothing; a tag seen equal on both sides
    /// is remembered, so that a later deletion is told from a new tag.
    fn settle_tag_without_push(&self, plan: TagPlan) -> Result<TagResult, SyncError> {
        let (outcome, skip, message) = match plan.action {
            action if action.needs_attention() || plan.blocked() => {
                (Outcome::Skipped, Some(SkipCause::Attention), None)
            }
            TagAction::InSync => {
                let object = plan.gitlab.expect("a tag in sync is on both sides").object;
                if !self.opts.dry_run {
                    self.cache.set_tag_seen(&plan.name, object)?;
                }
                (Outcome::Done, None, None)
            }
            TagAction::Waiting { to } => {
                let message = format!("waits until its commit is on {}", to.as_str());
                (Outcome::Skipped, None, Some(message))
            }
            TagAction::NotStored => (Outcome::Skipped, None, None),
            _ => (Outcome::Skipped, Some(SkipCause::DryRun), None),
        };
        Ok(TagResult { plan, outcome, skip, message })
    }

    /// Returns the result of a tag push. It counts as mirrored once a later listing shows it
    /// on both sides (Git Fusion stores tags after the push completes, and may drop one).
    pub(super) fn settle_tag_push(&mut self, plan: TagPlan, pushed: PushResult) -> TagResult {
        let to = plan.action.target().expect("a pushed tag has a target");
        let (outcome, skip, message) = match pushed {
            PushResult::Done { .. } => (Outcome::Done, None, None),
            PushResult::AlreadyThere => {
                (Outcome::Done, None, Some(format!("{} already had it", to.as_str())))
            }
            PushResult::LostRace => {
                let message = format!(
                    "the tag appeared on {} during the run; the next run compares",
                    to.as_str()
                );
                (Outcome::Skipped, Some(SkipCause::NotAttempted), Some(message))
            }
            PushResult::Refused(why) => (Outcome::Failed, None, Some(format!("refused: {why}"))),
            PushResult::Error { message, .. } => {
                (Outcome::Skipped, Some(SkipCause::NotAttempted), Some(message))
            }
        };
        TagResult { plan, outcome, skip, message }
    }
}
