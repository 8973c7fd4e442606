//! What a run decided and did, per branch and per workspace: the data every output format
//! renders and the exit code is computed from. Holds no logic beyond classification.

use crate::exit::Exit;
use crate::git::remote::TagTip;
use crate::oid::Oid;
use crate::plan::Side;
use crate::plan::{Action, Tips};
use crate::reason::Code;
use crate::refname::{BranchName, TagName};
use crate::state::journal::Logged;
use crate::tags::TagAction;

/// A finding about a branch or one of its commits (docs/git-fusion.md, docs/report.md).
#[derive(Clone, Debug, serde::Serialize, schemars::JsonSchema)]
pub struct Reason {
    /// The reason code, such as `unmapped_author`.
    pub code: Code,
    /// The commit concerned, or `None` for a reason about the whole branch.
    pub commit: Option<Oid>,
    /// What it means, for people.
    pub message: String,
    /// Whether it turns the push into `blocked` (others are reported only).
    pub blocks: bool,
    /// The git path concerned, for findings about one file (docs/git-fusion.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Its depot path, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub depot_path: Option<String>,
    /// The Perforce user concerned, for findings about a user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

impl Reason {
    /// Returns a finding with no file or user attached.
    pub fn new(code: Code, commit: Option<Oid>, message: String, blocks: bool) -> Reason {
        Reason { code, commit, message, blocks, path: None, depot_path: None, user: None }
    }

    /// Returns `<code> <commit or "branch">: <message>`, the one-line form every text output uses.
    pub fn line(&self) -> String {
        let commit = self.commit.map_or_else(|| "branch".to_string(), |c| c.short());
        format!("{} {commit}: {}", self.code, self.message)
    }
}

/// The decision for one branch, with the commits it concerns.
#[derive(Clone, Debug)]
pub struct BranchPlan {
    /// The branch name.
    pub name: BranchName,
    /// The tips and base it was decided from.
    pub tips: Tips,
    /// The action.
    pub action: Action,
    /// The commits the action concerns (docs/report.md), oldest first.
    pub commits: Vec<Oid>,
    /// For `diverged`: commits only GitLab has; for others, empty.
    pub gitlab_only: Vec<Oid>,
    /// For `diverged`: commits only Git Fusion has; for others, empty.
    pub fusion_only: Vec<Oid>,
    /// Findings; any blocking one turns a push into `blocked`.
    pub reasons: Vec<Reason>,
    /// The LFS objects the push would copy first (docs/lfs.md); `None` when its commits hold
    /// no pointer, or LFS is off.
    pub lfs: Option<LfsCopy>,
}

/// The LFS objects a push copies before it is made (docs/lfs.md `lfs_objects`, `lfs_bytes`).
#[derive(Clone, Debug, Default)]
pub struct LfsCopy {
    /// The objects the destination lacks.
    pub objects: Vec<crate::lfs::pointer::Pointer>,
    /// True when the destination could not be asked: `objects` is every object pointed to.
    pub estimated: bool,
}

impl LfsCopy {
    /// Returns the bytes of the objects.
    pub fn bytes(&self) -> u64 {
        self.objects.iter().map(|p| p.size).sum()
    }
}

/// What became of a branch in this run (docs/report.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// In sync, or pushed.
    Done,
    /// Pushed, not yet confirmed.
    Pending,
    /// The remote refused or the push failed.
    Failed,
    /// Not written: attention, dry run, or the remote kept moving.
    Skipped,
}

impl Outcome {
    /// Returns the contract's name (docs/report.md), as in JSON and the journal.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Done => "done",
            Outcome::Pending => "pending",
            Outcome::Failed => "failed",
            Outcome::Skipped => "skipped",
        }
    }
}

impl From<Outcome> for Logged {
    fn from(outcome: Outcome) -> Logged {
        match outcome {
            Outcome::Done => Logged::Done,
            Outcome::Pending => Logged::Pending,
            Outcome::Failed => Logged::Failed,
            Outcome::Skipped => Logged::Skipped,
        }
    }
}

/// Why a branch was skipped, when it matters for the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkipCause {
    /// A person must look (attention action).
    Attention,
    /// A dry run writes nothing.
    DryRun,
    /// The remote kept moving; the next run plans again.
    Raced,
    /// The run stopped before this branch's push (another failure).
    NotAttempted,
}

/// A ref's plan and what happened to it: a branch's (`BranchResult`) or a tag's
/// (`TagResult`).
#[derive(Clone, Debug)]
pub struct Settled<P> {
    /// The decision.
    pub plan: P,
    /// What happened.
    pub outcome: Outcome,
    /// Why it was skipped, when it was.
    pub skip: Option<SkipCause>,
    /// Detail for people: the remote's message on failure, the push id, and so on.
    pub message: Option<String>,
}

/// One branch's plan and what happened to it.
pub type BranchResult = Settled<BranchPlan>;
/// One tag's plan and what happened to it.
pub type TagResult = Settled<TagPlan>;

/// What every ref's plan, a branch's or a tag's, tells its result and its output.
pub trait Planned {
    /// The findings.
    fn reasons(&self) -> &[Reason];
    /// The side the action writes to, if it writes.
    fn target(&self) -> Option<Side>;
    /// The action's own contract name, before any finding blocks it.
    fn planned_action(&self) -> &'static str;
    /// The side the action names, if any (`side` in the JSON).
    fn side(&self) -> Option<Side>;

    /// Returns whether the action writes to a remote.
    fn writes(&self) -> bool {
        self.target().is_some()
    }

    /// Returns true when a blocking finding stops the push (docs/git-fusion.md).
    fn blocked(&self) -> bool {
        self.reasons().iter().any(|r| r.blocks)
    }

    /// Returns the action's contract name: `blocked` for a push a finding stops.
    fn action_name(&self) -> &'static str {
        if self.blocked() {
            "blocked"
        } else {
            self.planned_action()
        }
    }

    /// Returns the action's name with the side it concerns, as reports show it:
    /// `rewritten (gitlab)`, `push_to_fusion`.
    fn action_label(&self) -> String {
        match self.side() {
            Some(side) => format!("{} ({})", self.action_name(), side.as_str()),
            None => self.action_name().to_string(),
        }
    }
}

impl Planned for BranchPlan {
    fn reasons(&self) -> &[Reason] {
        &self.reasons
    }
    fn target(&self) -> Option<Side> {
        self.action.target()
    }
    fn planned_action(&self) -> &'static str {
        self.action.name()
    }
    fn side(&self) -> Option<Side> {
        self.action.side()
    }
}

impl Planned for TagPlan {
    fn reasons(&self) -> &[Reason] {
        &self.reasons
    }
    fn target(&self) -> Option<Side> {
        self.action.target()
    }
    fn planned_action(&self) -> &'static str {
        self.action.name()
    }
    fn side(&self) -> Option<Side> {
        self.action.side()
    }
}

impl<P: Planned> Settled<P> {
    /// Returns the exit code this ref alone would give (docs/output.md).
    pub fn exit(&self) -> Exit {
        // An LFS server that failed is an operational failure (docs/lfs.md): nothing was pushed.
        let lfs_failed = self.plan.reasons().iter().any(|r| r.code == Code::LfsTransferFailed);
        if self.outcome == Outcome::Failed && lfs_failed {
            return Exit::Failure;
        }
        match (self.outcome, self.skip) {
            (Outcome::Failed, _) => Exit::Attention,
            (Outcome::Skipped, Some(SkipCause::Attention)) => Exit::Attention,
            (Outcome::Skipped, Some(SkipCause::Raced)) => Exit::Busy,
            _ => Exit::Ok,
        }
    }

    /// Returns what a log line says about this ref: the run's message and every reason,
    /// joined by `; ` (empty only for a ref with nothing to say).
    pub fn why(&self) -> String {
        let reasons = self.plan.reasons().iter().map(Reason::line);
        self.message.iter().cloned().chain(reasons).collect::<Vec<_>>().join("; ")
    }

    /// Returns the one category this result is counted in.
    pub fn tally(&self) -> Tally {
        match (self.outcome, self.skip) {
            (Outcome::Failed, _) => Tally::Failed,
            (Outcome::Pending, _) => Tally::Pending,
            (Outcome::Skipped, Some(SkipCause::Attention)) => Tally::Attention,
            (Outcome::Skipped, Some(SkipCause::DryRun)) => Tally::WouldPush,
            (Outcome::Skipped, _) => Tally::NotWritten,
            (Outcome::Done, _) if self.plan.writes() => Tally::Pushed,
            (Outcome::Done, _) => Tally::InSync,
        }
    }
}

/// The one category each branch's result is counted in: summaries count these and never
/// subtract, so no branch is counted twice (a blocked branch both sides show equal is
/// `Attention`, not `InSync`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tally {
    /// Equal on both sides, and nothing blocks it.
    InSync,
    /// Pushed (and, for Git Fusion, confirmed).
    Pushed,
    /// Pushed to Git Fusion, not yet confirmed.
    Pending,
    /// A person must look: an attention action or a blocking reason.
    Attention,
    /// The push was refused or failed.
    Failed,
    /// A dry run: would be pushed.
    WouldPush,
    /// Not written: the remote kept moving, or the run stopped before its push.
    NotWritten,
}

impl Tally {
    /// Every category, in the order summaries list them.
    pub const ALL: [Tally; 7] = [
        Tally::InSync,
        Tally::Pushed,
        Tally::Pending,
        Tally::Attention,
        Tally::Failed,
        Tally::WouldPush,
        Tally::NotWritten,
    ];

    /// Returns the words a summary uses after the count (`2 need attention`).
    pub fn words(self) -> &'static str {
        match self {
            Tally::InSync => "in sync",
            Tally::Pushed => "pushed",
            Tally::Pending => "pending confirmation",
            Tally::Attention => "need attention",
            Tally::Failed => "failed",
            Tally::WouldPush => "would be pushed",
            Tally::NotWritten => "not written",
        }
    }
}

/// The decision for one mirrored tag (docs/tags.md).
#[derive(Clone, Debug)]
pub struct TagPlan {
    /// The tag's name.
    pub name: TagName,
    /// What GitLab lists for it.
    pub gitlab: Option<TagTip>,
    /// What Git Fusion lists for it.
    pub fusion: Option<TagTip>,
    /// The action.
    pub action: TagAction,
    /// Findings; a blocking one keeps the tag out of the push (`blocked`).
    pub reasons: Vec<Reason>,
}

impl BranchPlan {
    /// Returns the plan in one line, for output and the journal.
    pub fn describe(&self) -> String {
        let plan = self;
        let tips = plan.tips;
        let short = |o: Option<Oid>| o.map_or("(none)".to_string(), |o| o.short());
        let count = |n: usize| {
            if n == 1 {
                "1 commit".to_string()
            } else {
                format!("{n} commits")
            }
        };
        match plan.action {
            Action::InSync => format!("at {}", short(tips.gitlab)),
            Action::PushToFusion { .. } | Action::PushToGitlab { .. } => {
                let target = plan.action.target().expect("a push has a target");
                let from = tips.on(target).map_or("new branch".to_string(), |o| o.short());
                format!(
                    "{from} -> {} ({})",
                    short(tips.on(target.other())),
                    count(plan.commits.len())
                )
            }
            Action::Deleted { side } => format!(
                "deleted on {} (was at {}); {} still at {}; not propagated",
                side.as_str(),
                short(tips.base),
                side.other().as_str(),
                short(tips.on(side.other()))
            ),
            Action::Rewritten { side } => format!(
                "{} moved from {} to {}, which does not contain it: {} would be lost: {}",
                side.as_str(),
                short(tips.base),
                short(tips.on(side)),
                count(plan.commits.len()),
                list(&plan.commits)
            ),
            Action::Diverged => format!(
                "gitlab has {}: {}; fusion has {}: {}",
                count(plan.gitlab_only.len()),
                list(&plan.gitlab_only),
                count(plan.fusion_only.len()),
                list(&plan.fusion_only)
            ),
        }
    }
}

/// Returns up to eight short ids, then how many more: enough to find them, short enough to read.
fn list(commits: &[Oid]) -> String {
    const SHOWN: usize = 8;
    let mut text: Vec<String> = commits.iter().take(SHOWN).map(Oid::short).collect();
    if commits.len() > SHOWN {
        text.push(format!("and {} more", commits.len() - SHOWN));
    }
    text.join(" ")
}

impl TagPlan {
    /// Returns what `side` lists for the tag.
    pub fn tip_on(&self, side: Side) -> Option<TagTip> {
        match side {
            Side::Gitlab => self.gitlab,
            Side::Fusion => self.fusion,
        }
    }

    /// Returns the one-line description of the plan, for output and the journal.
    pub fn describe(&self) -> String {
        let short = |t: Option<TagTip>| t.map_or("(none)".to_string(), |t| t.object.short());
        let (l, f) = (short(self.gitlab), short(self.fusion));
        match self.action {
            TagAction::InSync => format!("at {l}"),
            TagAction::Conflict => format!("gitlab names {l}, fusion names {f}; neither is moved"),
            TagAction::Deleted { side } => format!(
                "deleted on {} after both sides had it; {} still has it; not propagated",
                side.as_str(),
                side.other().as_str()
            ),
            TagAction::Push { to } | TagAction::Waiting { to } => {
                let tip = if to == Side::Fusion { self.gitlab } else { self.fusion };
                let target = tip.map_or("(none)".to_string(), |t| t.peeled.short());
                format!("new tag {} -> {target}", short(tip))
            }
            TagAction::NotStored => format!("new tag {l}, which Git Fusion would not keep"),
        }
    }
}

/// One workspace's run.
#[derive(Clone, Debug)]
pub struct WorkspaceResult {
    /// The workspace name.
    pub name: String,
    /// Every mirrored branch, by name.
    pub branches: Vec<BranchResult>,
    /// Every mirrored tag, by name (empty without `tags`).
    pub tags: Vec<TagResult>,
    /// An operational failure that stopped the run, with the exit code it gives.
    pub error: Option<crate::errors::Shown>,
}

impl WorkspaceResult {
    /// Returns how many branches fall in each category, in [`Tally::ALL`] order.
    pub fn tally(&self) -> Vec<(Tally, usize)> {
        let count = |t: Tally| {
            self.branches.iter().filter(|b| b.tally() == t).count()
                + self.tags.iter().filter(|g| g.tally() == t).count()
        };
        Tally::ALL.iter().map(|t| (*t, count(*t))).collect()
    }

    /// Returns the workspace's exit code: its error, else the most severe branch.
    pub fn exit(&self) -> Exit {
        let branches = self.branches.iter().map(BranchResult::exit);
        let tags = self.tags.iter().map(TagResult::exit);
        Exit::worst(self.error.iter().map(|e| e.exit).chain(branches).chain(tags))
    }
}
