//! What `discover` prints (docs/discover.md): the `[[workspace]]` tables of the new pairs, then
//! the unpaired on both sides as comments; or `DiscoverDocument` (`--format json`).

use schemars::JsonSchema;
use serde::Serialize;

use crate::discover::{Discovered, NewWorkspace};

/// `discover --format json`.
#[derive(Serialize, JsonSchema)]
pub struct DiscoverDocument<'a> {
    /// One entry per new pair.
    pub pairs: Vec<PairJson<'a>>,
    /// What pairs with nothing, per side.
    pub unpaired: Unpaired<'a>,
}

/// A new pair and the workspace proposed for it.
#[derive(Serialize, JsonSchema)]
pub struct PairJson<'a> {
    /// Git Fusion's repo name.
    pub fusion_repo: &'a str,
    /// The GitLab project's path.
    pub gitlab_project: &'a str,
    /// The keys of the proposed `[[workspace]]`.
    pub workspace: &'a NewWorkspace,
}

/// What pairs with nothing.
#[derive(Serialize, JsonSchema)]
pub struct Unpaired<'a> {
    /// Git Fusion repos with no GitLab project.
    pub fusion: &'a [String],
    /// GitLab projects with no Git Fusion repo.
    pub gitlab: &'a [String],
}

/// Returns the JSON document.
pub fn json(found: &Discovered) -> DiscoverDocument<'_> {
    DiscoverDocument {
        pairs: found
            .workspaces
            .iter()
            .map(|w| PairJson {
                fusion_repo: &w.fusion_repo,
                gitlab_project: &w.gitlab_project,
                workspace: w,
            })
            .collect(),
        unpaired: Unpaired { fusion: &found.fusion_only, gitlab: &found.gitlab_only },
    }
}

/// Returns the TOML to paste into the config (or that `--write` appends), with the unpaired
/// as comments after it.
pub fn toml(found: &Discovered) -> String {
    let mut out = String::new();
    if found.workspaces.is_empty() {
        out.push_str("# no new pair: every Git Fusion repo that pairs with a project of the group is configured\n");
    } else {
        out.push_str(&crate::discover::toml(&found.workspaces));
    }
    let list =
        |names: &[String]| if names.is_empty() { "none".to_string() } else { names.join(", ") };
    out.push_str(&format!(
        "\n# Git Fusion repos with no GitLab project: {}\n",
        list(&found.fusion_only)
    ));
    out.push_str(&format!(
        "# GitLab projects with no Git Fusion repo: {}\n",
        list(&found.gitlab_only)
    ));
    out
}
