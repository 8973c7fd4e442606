#!/usr/bin/env bash
# Prints a large HTML report the way a migration lead would (Chromium's "print to PDF"), and
# counts what survived on paper: every branch row and every reason must be there.
# The report has 50 branches (pushes, divergences, blocked paths, in sync) and 200 authors.
# Usage: scripts/report-print-check.sh [OUT_DIR]   (default: target/print-check)
# Writes OUT_DIR/report.html, report.pdf and page-01.png; exits 1 when rows were lost.
# Installs chromium and poppler-utils with apt when missing (needs root or sudo).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/target/print-check}")
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -gt 0 ]; then
  echo "report-print-check: installing ${need[*]}" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
(cd "$root" && cargo build --quiet --bin gfbridge)
gfbridge="$root/target/debug/gfbridge"
rm -rf "$out"; mkdir -p "$out"
world=$(mktemp -d); trap 'rm -rf "$world"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C
git init -q --bare -b main "$world/gitlab.git"
"$root/p4-fixtures/make-fusion-repo" "$world/fusion.git" acme/widgets
git init -q -b main "$world/work"
cd "$world/work"
commit() { # commit NAME EMAIL FILE TEXT
  printf '%s\n' "$4" > "$3"; git add -- "$3"
  GIT_AUTHOR_NAME="$1" GIT_AUTHOR_EMAIL="$2" GIT_COMMITTER_NAME=ci GIT_COMMITTER_EMAIL=ci@example.com \
    git commit -qm "$4"
}
commit "Jane Doe" jane@example.com README "seed"
git push -q "$world/gitlab.git" main
git push -q "$world/fusion.git" main
for i in $(seq 1 49); do
  git checkout -q -b "release/$i" main
  commit "Jane Doe" jane@example.com "r$i" "release $i"
  git push -q "$world/gitlab.git" "release/$i"; git push -q "$world/fusion.git" "release/$i"
  case $((i % 4)) in
    0) commit "Jane Doe" jane@example.com "n$i" "next $i"; git push -q "$world/gitlab.git" "release/$i" ;;
    1) commit "Jane Doe" jane@example.com "ours$i" "ours $i"; git push -q "$world/gitlab.git" "release/$i"
       git reset -q --hard HEAD~1; commit "Bob Smith" bob@corp.example.com "theirs$i" "theirs $i"
       git push -q "$world/fusion.git" "release/$i" ;;
    2) mkdir -p "bad$i"; commit "Jane Doe" jane@example.com "bad$i/a...b" "bad path $i"
       git push -q "$world/gitlab.git" "release/$i" ;;
    3) ;; # in sync
  esac
done
git checkout -q main
for a in $(seq 1 200); do
  commit "Author $a" "author$a@contractor.example" "a$a" "work of author $a"
done
git push -q "$world/gitlab.git" main
cat > "$world/gfbridge.toml" <<TOML
[perforce]
p4 = "$root/p4-fixtures/p4"
port = "$world/fusion.git/fusion"

[[workspace]]
name = "widgets"
gitlab_remote = "$world/gitlab.git"
fusion_remote = "$world/fusion.git"
fusion_repo = "acme/widgets"
branches = ["main", "release/*"]
protected_from = "config"
TOML
set +e
"$gfbridge" --config "$world/gfbridge.toml" -q report --format html -o "$out/report.html"
set -e
chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --no-pdf-header-footer \
  --print-to-pdf="$out/report.pdf" "file://$out/report.html" 2>/dev/null
pdftoppm -png -r 60 -f 1 -l 1 "$out/report.pdf" "$out/page"
pdftotext -layout "$out/report.pdf" "$out/report.txt"
pages=$(pdfinfo "$out/report.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
# A branch row is its action cell: a symbol, then the action (the blocker list has no symbol).
branches=$(grep -Eo '[✔▲✖] (in_sync|push_to_fusion|push_to_gitlab|diverged|blocked|rewritten|deleted)' \
  "$out/report.txt" | wc -l)
reasons_html=$(grep -o 'blocks</strong> <code>invalid_path' "$out/report.html" | wc -l)
reasons_pdf=$(grep -c 'blocks invalid_path' "$out/report.txt" || true)
authors=$(grep -Eo 'author[0-9]+@contractor' "$out/report.txt" | sort -u | wc -l)
echo "report-print-check: $pages page(s); branch rows printed: $branches of 50;" \
  "blocking reasons printed: $reasons_pdf of $reasons_html; authors printed: $authors of 200"
echo "report-print-check: $out/report.pdf, first page: $out/page-01.png"
[ "$branches" = 50 ] && [ "$reasons_pdf" = "$reasons_html" ] && [ "$authors" = 200 ]
