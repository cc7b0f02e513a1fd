#!/usr/bin/env bash
# Sets up if needed, then runs the whole test suite with ctest (GPU tests skip without a GPU).
# Extra arguments go to ctest, e.g. scripts/test.sh -R Config.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cd "${RETRAIN_BUILD_DIR:-build}"
exec ctest -j "$(nproc)" --output-on-failure --timeout 600 "$@"
