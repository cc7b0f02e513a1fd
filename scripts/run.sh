#!/usr/bin/env bash
# Sets up if needed, then runs retrain: with no arguments the embedded default experiment, otherwise
# the arguments as given (e.g. scripts/run.sh --config configs/gaussian_collapse.yaml).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Idle OpenMP threads sleep instead of spinning (docs/benchmarks/share_machine.md); yours wins if set.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE}
exec "${RETRAIN_BUILD_DIR:-build}/retrain" "$@"
