#!/usr/bin/env bash
# The whole test suite, from a fresh machine: install what the tests need, then run them.
# (The fuzzing smoke run is CI's own later step: scripts/fuzz.sh, see .ci/run.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# One build from scratch gains nothing from incremental compilation's bookkeeping.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
cargo test --locked "$@"
