#!/usr/bin/env bash
# gfbridge on a fresh machine, end to end: builds the binary, creates a "GitLab" remote and a
# "Git Fusion" remote (the stand-in from p4-fixtures/) in a temp dir, makes commits on each
# side, and runs a real sync: one branch goes to Git Fusion, one comes back to GitLab with its
# release tag, and one has diverged and is reported, not written. Leaves the directory for you to look at.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
echo "==> building gfbridge"
cargo build --quiet --release --manifest-path "$root/Cargo.toml"
bin="$root/target/release/gfbridge"

demo=$(mktemp -d "${TMPDIR:-/tmp}/gfbridge-demo.XXXXXX")
cd "$demo"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C TZ=UTC
echo "==> creating remotes in $demo"
git init --quiet --bare -b main gitlab.git
"$root/p4-fixtures/make-fusion-repo" fusion.git
git init --quiet -b main work
commit() { # commit <who> <email> <message>: a commit with a fixed date, so ids repeat
  GIT_AUTHOR_NAME=$1 GIT_AUTHOR_EMAIL=$2 GIT_COMMITTER_NAME=$1 GIT_COMMITTER_EMAIL=$2 \
  GIT_AUTHOR_DATE="2026-11-24T09:0$((n++)):00Z" GIT_COMMITTER_DATE="2026-11-24T09:0$((n - 1)):00Z" \
    git -C work commit --quiet --allow-empty -m "$3"
}
n=0
commit "Jane Doe" jane@example.com "Initial import"
for b in main release/1.0 release/2.0; do
  git -C work push --quiet ../gitlab.git "HEAD:refs/heads/$b"
  git -C work push --quiet ../fusion.git "HEAD:refs/heads/$b" 2>/dev/null
done
# GitLab moves main on: gfbridge pushes it to Git Fusion.
commit "Jane Doe" jane@example.com "Add widget sizes"
git -C work push --quiet ../gitlab.git HEAD:refs/heads/main
# Perforce moves release/1.0 on: gfbridge brings it to GitLab.
git -C work reset --quiet --hard HEAD~1
commit "Bob Smith" bob@example.com "Hotfix from Perforce"
git -C work push --quiet ../fusion.git HEAD:refs/heads/release/1.0 2>/dev/null
# ...and tags it: the tag goes to GitLab in the same push as the branch.
git -C work tag v1.0.1
git -C work push --quiet ../fusion.git refs/tags/v1.0.1 2>/dev/null
# Both sides move release/2.0 on: diverged, reported with the commits of each side.
git -C work reset --quiet --hard HEAD~1
commit "Jane Doe" jane@example.com "Release notes (GitLab)"
git -C work push --quiet ../gitlab.git HEAD:refs/heads/release/2.0
git -C work reset --quiet --hard HEAD~1
commit "Bob Smith" bob@example.com "Release notes (Perforce)"
git -C work push --quiet ../fusion.git HEAD:refs/heads/release/2.0 2>/dev/null
# A new branch whose commit adds a path Perforce cannot store: blocked before it reaches Helix.
git -C work reset --quiet --hard HEAD~1
mkdir -p work/assets && echo icon > "work/assets/icon...png" && git -C work add assets
commit "Jane Doe" jane@example.com "Add icon"
git -C work push --quiet ../gitlab.git HEAD:refs/heads/release/3.0
# An unprotected branch: never mirrored.
git -C work push --quiet ../gitlab.git HEAD:refs/heads/feature/experiment

cat > gfbridge.toml <<TOML
[perforce]
p4 = "$root/p4-fixtures/p4"      # the fake p4: answers from the Git Fusion stand-in's files
port = "$demo/fusion.git/fusion"

[[workspace]]
name = "widgets"
gitlab_remote = "gitlab.git"
fusion_remote = "fusion.git"
fusion_repo = "acme/widgets"
branches = ["main", "release/*"]
tags = ["v*"]                     # release tags, created where missing, never moved
protected_from = "config"
TOML

echo; echo "==> gfbridge check   (is change-pusher disabled? is Git Fusion set up safely?)"
"$bin" check || true
echo; echo "==> gfbridge authors   (who each author becomes in Perforce)"
"$bin" authors || true
echo; echo "==> gfbridge report   (is this workspace ready for cutover? writes to no remote)"
"$bin" report || true
for f in markdown json html; do "$bin" report --format "$f" -o "report.${f/markdown/md}" || true; done
echo "    also written: $demo/report.md, report.json, report.html"
echo; echo "==> gfbridge sync --dry-run   (decides, writes nothing)"
"$bin" sync --dry-run || true
echo; echo "==> gfbridge sync"
set +e; "$bin" sync; code=$?; set -e
echo; echo "==> exit code $code (3 = attention: release/2.0 diverged, release/3.0 blocked)"
echo; echo "==> changelists the Git Fusion stand-in recorded (fusion.git/fusion/changelists.jsonl)"
cat fusion.git/fusion/changelists.jsonl
echo; echo "==> journal ($demo/.gfbridge/widgets/journal.jsonl)"
cat .gfbridge/widgets/journal.jsonl
echo; echo "==> a second sync is a no-op apart from the divergence"
"$bin" sync || true
echo; echo "==> gfbridge status   (how the last runs went, from local state only)"
"$bin" status || true
echo; echo "Everything is in $demo"
