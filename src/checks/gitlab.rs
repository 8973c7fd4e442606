//! The checks that need GitLab's API (docs/git-fusion.md, docs/operations.md): protected-branch rules, whether the
//! bridge may push, and GitLab's own mirrors of the project.
//!
//! Must not change anything on GitLab; every call is a read.

use std::collections::BTreeSet;

use super::{check, unused_patterns, Check, CheckId, Status};
use crate::config::pattern::{any_match, BranchPattern};
use crate::config::{Config, ProtectedFrom, Workspace};
use crate::gitlab::mirrors::{repository_of, Mirror};
use crate::gitlab::{GitlabClient, ProtectedRule};
use crate::refname::BranchName;

/// Returns the protection checks and GitLab's rules when they decide (`Ok(None)` when the
/// allowlist alone decides, `Err(())` when they could not be read).
pub(super) fn protection(
    config: &Config,
    ws: &Workspace,
    names: &BTreeSet<BranchName>,
    gitlab_empty: bool,
) -> (Vec<Check>, Result<Option<Vec<ProtectedRule>>, ()>) {
    match ws.protected_from {
        ProtectedFrom::Config => {
            let why = "not checked: protected_from = \"config\", so GitLab's API is not asked (set protected_from = \"gitlab\" with a [gitlab] section)";
            let ids = [
                CheckId::GitlabApi,
                CheckId::ProtectedBranches,
                CheckId::GitlabPushAccess,
                CheckId::GitlabMirrors,
            ];
            let checks = ids.map(|id| check(id, Status::Skip, why));
            (checks.into_iter().chain(unused_patterns(ws, names)).collect(), Ok(None))
        }
        ProtectedFrom::Gitlab => gitlab_protection(config, ws, names, gitlab_empty),
    }
}

fn gitlab_protection(
    config: &Config,
    ws: &Workspace,
    names: &BTreeSet<BranchName>,
    gitlab_empty: bool,
) -> (Vec<Check>, Result<Option<Vec<ProtectedRule>>, ()>) {
    let settings = config.gitlab.as_ref().expect("config validation requires [gitlab] here");
    let project = ws.gitlab_project.as_deref().expect("config validation requires gitlab_project");
    let client = GitlabClient::new(settings, settings.timeout);
    let rules = client
        .as_ref()
        .map_err(|e| e.to_string())
        .and_then(|c| c.protected_branches(project).map_err(|e| e.to_string()));
    let rules = match rules {
        Ok(rules) => rules,
        Err(e) => {
            // The API check fails; the checks that needed its answers were not made.
            let why = "not checked: GitLab's API could not be read (see gitlab_api)";
            let mut checks = vec![check(CheckId::GitlabApi, Status::Fail, e)];
            checks.extend(
                [CheckId::ProtectedBranches, CheckId::GitlabPushAccess, CheckId::GitlabMirrors]
                    .map(|id| check(id, Status::Skip, why)),
            );
            return (checks, Err(()));
        }
    };
    let api = check(
        CheckId::GitlabApi,
        Status::Pass,
        format!("the token reads {} protected-branch rule(s) of {project}", rules.len()),
    );
    let patterns: Vec<(BranchPattern, bool)> = rules
        .iter()
        .filter_map(|r| BranchPattern::new(&r.name).ok().map(|p| (p, r.allow_force_push)))
        .collect();
    let protected = |name: &BranchName| patterns.iter().any(|(p, _)| p.matches(name));
    let unselected: Vec<&str> = ws
        .branches
        .iter()
        .filter(|entry| !names.iter().any(|n| entry.matches(n) && protected(n)))
        .map(|p| p.as_str())
        .collect();
    let mirrored: Vec<&BranchName> =
        names.iter().filter(|n| any_match(&ws.branches, n) && protected(n)).collect();
    let forced: Vec<&str> = patterns
        .iter()
        .filter(|(p, force)| *force && mirrored.iter().any(|n| p.matches(n)))
        .map(|(p, _)| p.as_str())
        .collect();
    let mut problems = Vec::new();
    if gitlab_empty {
        let exact: Vec<&str> =
            ws.branches.iter().filter(|p| p.is_exact()).map(|p| p.as_str()).collect();
        problems.push(format!(
            "the GitLab project has no branches yet, so GitLab has no protection rules for them: the allowlist's exact names ({}) are mirrored as if protected; protect them in GitLab after the first sync",
            exact.join(", ")
        ));
    } else if !unselected.is_empty() {
        problems.push(format!(
            "allowlist entries that select no existing branch GitLab protects (not mirrored): {}",
            unselected.join(", ")
        ));
    }
    if !forced.is_empty() {
        problems.push(format!(
            "rules allowing force push on mirrored branches (GitLab accepts rewrites there; gfbridge still refuses to carry them): {}",
            forced.join(", ")
        ));
    }
    let branches = if problems.is_empty() {
        let list: Vec<&str> = mirrored.iter().map(|n| n.as_str()).collect();
        check(CheckId::ProtectedBranches, Status::Pass, format!("mirrored: {}", list.join(", ")))
    } else {
        check(CheckId::ProtectedBranches, Status::Warn, problems.join("; "))
    };
    let client = client.expect("the rules were read with it");
    let access = gitlab_push_access(&client, project, &mirrored, &rules);
    let mirrors = gitlab_mirrors(&client, project, ws);
    (vec![api, branches, access, mirrors], Ok(Some(rules)))
}

/// Check `gitlab_push_access` (docs/operations.md): may the bridge's token user push every mirrored
/// branch GitLab has (the branches API's `can_push`)? A rule requiring code-owner approval
/// warns: GitLab then refuses pushes that touch CODEOWNERS paths.
fn gitlab_push_access(
    client: &GitlabClient,
    project: &str,
    mirrored: &[&BranchName],
    rules: &[ProtectedRule],
) -> Check {
    let mut denied = Vec::new();
    for branch in mirrored {
        match client.can_push(project, branch) {
            Ok(Some(false)) => denied.push(branch.as_str()),
            Ok(_) => {}
            Err(e) => {
                return check(CheckId::GitlabPushAccess, Status::Skip, format!("not checked: {e}"))
            }
        }
    }
    if !denied.is_empty() {
        let message = format!(
            "the bridge's account may not push to: {} (their protection allows it no push; pushes from Git Fusion to them would be refused)",
            denied.join(", ")
        );
        return check(CheckId::GitlabPushAccess, Status::Fail, message);
    }
    let owners: Vec<&str> = rules
        .iter()
        .filter(|r| r.code_owner_approval_required)
        .filter(|r| {
            BranchPattern::new(&r.name).is_ok_and(|p| mirrored.iter().any(|b| p.matches(b)))
        })
        .map(|r| r.name.as_str())
        .collect();
    if owners.is_empty() {
        check(
            CheckId::GitlabPushAccess,
            Status::Pass,
            "the bridge's account may push every mirrored branch",
        )
    } else {
        let message = format!(
            "rules requiring code-owner approval on mirrored branches (GitLab refuses pushes that touch CODEOWNERS paths without it): {}",
            owners.join(", ")
        );
        check(CheckId::GitlabPushAccess, Status::Warn, message)
    }
}

/// Check `gitlab_mirrors` (docs/operations.md): does GitLab itself mirror the project to or from the Git
/// Fusion repo? An enabled push mirror there force-overwrites what gfbridge protects, and a
/// pull mirror from it writes GitLab branches behind gfbridge's back.
fn gitlab_mirrors(client: &GitlabClient, project: &str, ws: &Workspace) -> Check {
    let id = CheckId::GitlabMirrors;
    let push = client.push_mirrors(project);
    let pull = client.pull_mirror(project);
    let fusion = repository_of(ws.fusion_remote.as_git_arg());
    let same = |m: &Mirror| m.enabled && fusion.is_some() && repository_of(&m.url) == fusion;
    // A mirror onto the Git Fusion repo fails the check even when the other list is unreadable.
    let mut problems = Vec::new();
    if let Some(m) = push.as_ref().ok().and_then(|p| p.iter().find(|m| same(m))) {
        problems.push(format!(
            "GitLab's own push mirror to {} would overwrite what gfbridge protects in Git Fusion: disable it",
            m.url
        ));
    }
    if let Some(m) = pull.as_ref().ok().and_then(Option::as_ref).filter(|m| same(m)) {
        problems.push(format!(
            "GitLab pulls from {} itself (pull mirror), writing GitLab branches behind gfbridge's back: disable it",
            m.url
        ));
    }
    if !problems.is_empty() {
        return check(id, Status::Fail, problems.join("; "));
    }
    match (push, pull) {
        (Ok(push), Ok(pull)) => {
            let message = format!(
                "no GitLab mirror points at the Git Fusion repo ({} push mirror(s), {} pull mirror)",
                push.len(),
                if pull.is_some() { "a" } else { "no" }
            );
            check(id, Status::Pass, message)
        }
        (Err(e), _) | (_, Err(e)) => check(
            id,
            Status::Skip,
            format!("not checked: GitLab's mirrors cannot be read ({e}); the token needs the Maintainer role to list them"),
        ),
    }
}
