#!/usr/bin/env bash
# Sharing a machine: the time of one CPU training job alone and beside an identical second job, with
# libgomp's default idle spinning (GOMP_SPINCOUNT=300000, how retrain ran before it set a wait policy)
# and with what retrain sets now (OMP_WAIT_POLICY=PASSIVE before libgomp loads). Prints a Markdown table;
# "slowdown" = time beside another job / time alone (1.0 would be free sharing; 2.0 is fair sharing of
# a machine whose cores both jobs want).
#   bench/share_machine.sh [KIMG]      # KIMG: training images per job, thousands (default 12)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${RETRAIN_BUILD_DIR:-build}
[ -x "$build/retrain" ] || { echo "share_machine: no $build/retrain; run scripts/setup.sh first" >&2; exit 1; }
kimg=${1:-12}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A training job of the toy EDM config (MLP 4x256, batch 256): CPU-bound, one parallel region per op.
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

# Seconds alone, then the slower of two identical jobs started together.
measure() {  # measure KEY LABEL ENV...
  local key=$1 label=$2; shift 2
  local alone pair_a pair_b
  alone=$(job "${key}_alone" "$@")
  job "${key}_a" "$@" > "$work/a.s" & local pa=$!
  job "${key}_b" "$@" > "$work/b.s" & local pb=$!
  wait "$pa" "$pb"
  pair_a=$(cat "$work/a.s"); pair_b=$(cat "$work/b.s")
  local beside
  beside=$(echo "if ($pair_a > $pair_b) $pair_a else $pair_b" | bc -l)
  printf '| %s | %.1f | %.1f | %.2f |\n' "$label" "$alone" "$beside" "$(echo "$beside / $alone" | bc -l)"
}

echo "share_machine: toy EDM training, gen0.kimg=$kimg, $(nproc) CPUs, torch threads per job: default"
echo
echo "| wait policy | alone (s) | beside another job (s) | slowdown |"
echo "| --- | --- | --- | --- |"
measure spinning "spinning (GOMP_SPINCOUNT=300000, libgomp's default)" GOMP_SPINCOUNT=300000
measure passive "passive (retrain's default now)"
