//! The annotated example written by `gfbridge init`; it must always load (a test checks it).

/// Returns the example config text.
pub fn text() -> &'static str {
    r#"# gfbridge configuration. Every key is explained in docs/configuration.md.
# Durations take a unit ("90s", "5m", "1h"). Secrets are never written here: they are
# named by environment variables.

[bridge]
cache_dir = ".gfbridge"             # relative to this file; holds caches, state, journal
git = "git"                          # git executable (2.30 or newer)
unknown_user = "unknown_git"         # Perforce user that receives unmapped authors
on_unmapped_author = "unknown_git"   # "unknown_git" | "block"
push_confirm_timeout = "120s"        # how long to wait for Git Fusion to confirm a push
# accept_unchecked = ["protections"]  # checks that may stay unmade ("skip") without blocking
#                                      # READY; listed on the report as accepted, never hidden

[gitlab]
url = "https://gitlab.example.com"   # API base, without /api/v4
token_env = "GITLAB_TOKEN"           # token that may read protected branches
webhook_secret_env = "GFBRIDGE_WEBHOOK_SECRET"
bridge_username = "gfbridge"         # events pushed by this account are ignored
timeout = "30s"                      # each API request

[perforce]
p4 = "p4"                            # P4PORT, P4USER, P4TICKETS… come from the environment
# port = "ssl:helix.example.com:1666"  # passed as -p
# user = "gfbridge"                    # passed as -u
# Offline sources for reports; each, when set, replaces the matching p4 call:
# users_file = "exports/users.jsonl"
# usermap_file = "exports/p4gf_usermap"
# global_config_file = "exports/p4gf_config"
# case_handling = "insensitive"

[authors]                            # intended attribution: git email -> Perforce user
# "jane@contractor.example" = "jdoe"

[[workspace]]
name = "widgets"                     # [a-z0-9][a-z0-9._-]*
gitlab_project = "acme/widgets"      # path with namespace, or numeric id
gitlab_remote = "git@gitlab.example.com:acme/widgets.git"
fusion_remote = "git@gitfusion.example.com:acme/widgets"
fusion_repo = "acme/widgets"         # the Git Fusion repo name
branches = ["main", "release/*"]     # allowlist; `*` matches any run of characters, `/` too
protected_from = "gitlab"            # "gitlab": allowlist ∩ GitLab's protected branches; "config": allowlist alone
interval = "60s"                     # serve: poll period
# repo_config_file = "exports/widgets.p4gf_config"   # offline per-repo p4gf_config
# tags = ["v*", "release-*"]         # mirror these tags (created where missing, never moved)
# lfs = "auto"                       # copy Git LFS objects with their commits; "off": don't
# accept_unchecked = ["gitlab_mirrors"]  # this workspace's own list (replaces [bridge]'s)
# gitlab_lfs_url = "https://gitlab.example.com/acme/widgets.git/info/lfs"  # needed for ssh remotes
# fusion_lfs_url = "https://gitfusion.example.com/acme/widgets/info/lfs"
# [workspace.perforce]                 # this workspace's own Helix server; unset keys come
# port = "ssl:helix-eu.example.com:1666" # from [perforce] above
"#
}
