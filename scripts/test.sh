#!/usr/bin/env bash
# The whole test suite, from a fresh machine: install what the tests need, then run them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo test --locked "$@"
