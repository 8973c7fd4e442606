#!/usr/bin/env bash
# Runs each fuzz target in tests/fuzz/ (cargo-fuzz, libFuzzer) for SECONDS (default 60),
# starting from seed inputs taken from p4-fixtures/, the GitLab fixtures and gfbridge's own
# example config. Needs the nightly toolchain; without it, says so and exits 0.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]
# A crash leaves its input in tests/fuzz/artifacts/<target>/ and exits 1: turn it into a
# regression test in tests/it/ before fixing it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}; shift || true
if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  echo "fuzz: SKIPPED: no nightly toolchain here (cargo-fuzz needs it)"
  exit 0
fi
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --quiet --locked cargo-fuzz
cd "$root"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(config_toml p4gf_config p4_users p4_output p4_tables webhook git_output git_log branch_pattern lfs)
seeds=$(mktemp -d); trap 'rm -rf "$seeds"' EXIT
seed() { mkdir -p "$seeds/$1"; cp "${@:2}" "$seeds/$1/" 2>/dev/null || true; }
cargo run --quiet --bin gfbridge -- init -o "$seeds/example.toml" >/dev/null 2>&1
seed config_toml "$seeds/example.toml" deploy/kubernetes/gfbridge-cronjob.yaml
seed p4gf_config p4-fixtures/examples/p4gf_config.*
seed p4_users p4-fixtures/examples/users.jsonl p4-fixtures/examples/users.ztag p4-fixtures/examples/p4gf_usermap
mkdir -p "$seeds/p4_tables"
{ cat p4-fixtures/examples/protects.jsonl; echo; cat p4-fixtures/examples/groups.jsonl; } > "$seeds/p4_tables/table"
mkdir -p "$seeds/p4_output"
printf '%s\n' '{"key":"git-fusion-status-acme_0xS_widgets","value":"Push 7 completed successfully"}' \
  '{"key":"git-fusion-status-acme_0xS_widgets-7","value":"Push 7 failed: disk full"}' > "$seeds/p4_output/keys"
echo '{"caseHandling":"insensitive","serverVersion":"P4D/LINUX26X86_64/2016.1/1398982"}' > "$seeds/p4_output/info"
seed webhook tests/it/fixtures/gitlab-push-hook-example.json tests/it/fixtures/gitlab/*event*.json
mkdir -p "$seeds/git_output"
printf 'To gf:acme/widgets\n=\trefs/heads/a:refs/heads/a\t[up to date]\n!\t3b485c8:refs/heads/main\trefs/heads/main\t[remote rejected] (stale info)\nDone\n' > "$seeds/git_output/porcelain"
printf 'remote: Commencing push 7 processing...\nReceiving objects:  45%% (450/1000)\r' > "$seeds/git_output/stderr"
printf '3b485c873121cdc95f25c1530facbafd49782a5f\trefs/heads/main\n' > "$seeds/git_output/ls-remote"
mkdir -p "$seeds/lfs"
printf 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n' > "$seeds/lfs/pointer"
printf '*.psd filter=lfs diff=lfs merge=lfs -text\nart/**/*.bin filter=lfs\n*.txt -filter=lfs\0art/x/hero.psd' > "$seeds/lfs/attributes"
mkdir -p "$seeds/git_log"; git -C "$root" log -z --raw --no-renames --no-abbrev -m --first-parent --root --format="%x01%H %P%x00%an%x00%ae%x00" -n 20 > "$seeds/git_log/recent" 2>/dev/null || true
mkdir -p "$seeds/branch_pattern"; printf 'release/*\nrelease/2.0' > "$seeds/branch_pattern/release"
status=0
for t in "${targets[@]}"; do
  corpus="$seeds/$t"; mkdir -p "$corpus"
  log="$seeds/$t.log"
  if cargo +nightly fuzz run --fuzz-dir tests/fuzz "$t" "$corpus" -- -max_total_time="$secs" \
      -print_final_stats=1 > "$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    echo "fuzz: $t: ${runs:-?} executions in ${secs}s, no crash"
  else
    status=1
    echo "fuzz: $t: CRASH (input kept in tests/fuzz/artifacts/$t/):"
    grep -E 'panicked|ERROR|SUMMARY' "$log" | head -5
  fi
done
exit $status
