#!/usr/bin/env bash
# Renders the demo's HTML report in a real browser (headless Debian chromium) to a PNG, to
# check the page by eye: verdict banners, tables, no external assets. Not part of the tests.
# Usage: scripts/report-screenshot.sh [OUT.png]   (default: target/report.png)
# Installs chromium with apt when missing (needs root or sudo).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/target/report.png}")
if ! command -v chromium >/dev/null 2>&1; then
  echo "report-screenshot: installing chromium" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq chromium >/dev/null
fi
log=$(mktemp)
"$root/scripts/demo.sh" > "$log" 2>&1 || { cat "$log" >&2; exit 1; }
demo=$(sed -n 's/^Everything is in //p' "$log")
rm -f "$log"
[ -f "$demo/report.html" ] || { echo "report-screenshot: the demo wrote no report.html" >&2; exit 1; }
mkdir -p "$(dirname "$out")"
# --no-sandbox: CI containers run as root, where chromium's sandbox cannot start.
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1700 \
  --screenshot="$out" "file://$demo/report.html" 2>/dev/null
echo "report-screenshot: $out (from $demo/report.html)"
