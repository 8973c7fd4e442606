#!/usr/bin/env bash
# The whole test suite, from a fresh machine: install what the tests need, then run them,
# then a short fuzzing smoke run of every fuzz target (skipped cleanly without the nightly
# toolchain; GFBRIDGE_FUZZ_SECONDS per target, default 2, 0 to skip).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo test --locked "$@"
fuzz_seconds=${GFBRIDGE_FUZZ_SECONDS:-2}
if [ "$fuzz_seconds" != 0 ]; then
  scripts/fuzz.sh "$fuzz_seconds"
fi
