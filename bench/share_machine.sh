#!/usr/bin/env bash
# Sharing a machine: the time of one CPU training job alone and beside an identical second job started
# with it, for four OpenMP settings: libgomp's own default (idle threads spin 300000 times, then
# sleep; what retrain ran with before its launcher), retrain's default (the launcher build/retrain sets
# GOMP_SPINCOUNT=2000), the passive wait policy (they sleep at once), and one thread per job. Prints a
# Markdown table; "slowdown" = time beside the other job / libgomp's default's time alone.
#   bench/share_machine.sh [KIMG]      # KIMG: training images per job, thousands (default 100)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${RETRAIN_BUILD_DIR:-build}
[ -x "$build/retrain" ] || { echo "share_machine: no $build/retrain; run scripts/setup.sh first" >&2; exit 1; }
kimg=${1:-100}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A training job of the toy EDM config (MLP 4x256, batch 256): CPU-bound, many small parallel regions.
job() {  # job NAME ENV... -> wall seconds on stdout
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  env "$@" "$build/retrain" train --config configs/toy_8gaussians_edm.yaml --device cpu --quiet --overwrite \
      --out "$work" --name "$name" --set gen0.kimg="$kimg" --set eval.num_samples=100 > "$work/$name.log" 2>&1 ||
    { echo "share_machine: job $name failed:" >&2; cat "$work/$name.log" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc -l
}

baseline=""
# Seconds alone, then the slower of two identical jobs started together.
measure() {  # measure KEY LABEL ENV...
  local key=$1 label=$2; shift 2
  local alone beside
  alone=$(job "${key}_alone" "$@")
  [ -n "$baseline" ] || baseline=$alone
  job "${key}_a" "$@" > "$work/a.s" & local pa=$!
  job "${key}_b" "$@" > "$work/b.s" & local pb=$!
  wait "$pa" "$pb"
  beside=$(echo "a = $(cat "$work/a.s"); b = $(cat "$work/b.s"); if (a > b) a else b" | bc -l)
  printf '| %s | %.1f | %.1f | %.2f |\n' "$label" "$alone" "$beside" "$(echo "$beside / $baseline" | bc -l)"
}

echo "share_machine: toy EDM training, gen0.kimg=$kimg, $(nproc) CPUs"
echo
echo "| OpenMP setting per job | alone (s) | beside another job (s) | slowdown |"
echo "| --- | --- | --- | --- |"
measure libgomp "libgomp's default GOMP_SPINCOUNT=300000 ($(nproc) threads)" GOMP_SPINCOUNT=300000
measure retrain "retrain's default, the launcher's GOMP_SPINCOUNT=2000 ($(nproc) threads)" RETRAIN_BENCH_MODE=default
measure passive "OMP_WAIT_POLICY=PASSIVE ($(nproc) threads, sleep at once)" OMP_WAIT_POLICY=PASSIVE
measure one "OMP_NUM_THREADS=1 (one thread each)" OMP_NUM_THREADS=1
