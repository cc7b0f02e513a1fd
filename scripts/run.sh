#!/usr/bin/env bash
# Sets up if needed, then runs retrain: with no arguments the embedded default experiment, otherwise
# the arguments as given (e.g. scripts/run.sh --config configs/gaussian_collapse.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec "${RETRAIN_BUILD_DIR:-build}/retrain" "$@"
