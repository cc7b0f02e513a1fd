#!/usr/bin/env bash
# Device check in one command (at most 7 minutes of wall time on a GPU machine, docs/gpu.md), most
# valuable numbers first: device and libraries, matmul ceiling, GPU tests, the network benchmark, a CLI
# run with SIGTERM and resume, the fused-op benchmark, the kernel tests under compute-sanitizer.
# Prints a plan line (each step's time limit) first. Writes OUTDIR/summary.md (step, status, seconds,
# key number) and four logs (setup.log, tests.log, bench.log, cli.log): five files in all.
#   scripts/gpu_check.sh OUTDIR [--device cuda|cpu] [--quick] [--build DIR] [--only step,step] [--budget S]
# Binaries: --build DIR (DIR/retrain, DIR/tests/retrain_tests, DIR/bench/retrain_bench_{networks,ops}), else .gpu/
# (scripts/pack_gpu.sh) when present, else build/. --device cpu runs the same steps with CPU-sized work.
# --only runs the named steps; --budget S scales their limits to S seconds in all.
# Status: PASS, SKIP, FAIL, or CUT (the step reached its time limit; what it measured is still listed).
# Exit 0 when every step is PASS or SKIP, 1 when one FAILed, 3 when none failed but one was CUT.
set -euo pipefail

STEPS=(device matmul gpu_tests bench cli ops memcheck)
usage() { echo "usage: scripts/gpu_check.sh OUTDIR [--device cuda|cpu] [--quick] [--build DIR] [--only STEP,...] [--budget S]" >&2; exit 2; }
[ $# -ge 1 ] || usage
mkdir -p "$1"
OUTDIR=$(cd "$1" && pwd)
shift
DEVICE=cuda QUICK=0 BUILD="" ONLY="" BUDGET=""
while [ $# -gt 0 ]; do
  case "$1" in
    --device) [ $# -ge 2 ] || usage; DEVICE=$2; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --build) [ $# -ge 2 ] || usage; BUILD=$(cd "$2" && pwd); shift 2 ;;
    --only) [ $# -ge 2 ] || usage; ONLY=$2; shift 2 ;;
    --budget) [ $# -ge 2 ] || usage; BUDGET=$2; shift 2 ;;
    *) echo "gpu_check: unknown argument '$1'" >&2; usage ;;
  esac
done
[ "$DEVICE" = cuda ] || [ "$DEVICE" = cpu ] || { echo "gpu_check: --device $DEVICE is unknown; expected cuda or cpu" >&2; exit 2; }
[ -z "$BUDGET" ] || [[ "$BUDGET" =~ ^[1-9][0-9]*$ ]] || { echo "gpu_check: --budget $BUDGET is not a whole number of seconds >= 1" >&2; exit 2; }
cd "$(dirname "$0")/.."
ROOT=$(pwd)

# Each step's time limit in seconds. On cuda they add up to 400 s: with the start-up, the timeouts'
# grace and the summary, one call stays under 7 minutes (the device tool's call: timeout_s 480).
declare -A LIMIT
if [ "$DEVICE" = cuda ]; then
  LIMIT=([device]=30 [matmul]=25 [gpu_tests]=80 [bench]=150 [cli]=60 [ops]=20 [memcheck]=35)
  if [ "$QUICK" = 1 ]; then MATMUL="--size 4096 --seconds 0.5"; else MATMUL="--size 8192 --seconds 2"; fi
else  # the full CPU benchmark runs the paper-size networks: minutes on a small CPU
  LIMIT=([device]=60 [matmul]=60 [gpu_tests]=120 [bench]=$([ "$QUICK" = 1 ] && echo 120 || echo 600) [cli]=120 [ops]=60 [memcheck]=10)
  if [ "$QUICK" = 1 ]; then MATMUL="--size 256 --seconds 0.2"; else MATMUL="--size 1024 --seconds 1"; fi
fi
SELECTED=()
if [ -n "$ONLY" ]; then
  for s in ${ONLY//,/ }; do
    [ -n "${LIMIT[$s]:-}" ] || { echo "gpu_check: --only names step '$s'; the steps are ${STEPS[*]}" >&2; exit 2; }
    SELECTED+=("$s")
  done
else
  SELECTED=("${STEPS[@]}")
fi
TOTAL=0
for s in "${SELECTED[@]}"; do TOTAL=$((TOTAL + LIMIT[$s])); done
if [ -n "$BUDGET" ]; then  # scale the selected steps' limits to the budget (at least 5 s each)
  for s in "${SELECTED[@]}"; do LIMIT[$s]=$(( LIMIT[$s] * BUDGET / TOTAL > 5 ? LIMIT[$s] * BUDGET / TOTAL : 5 )); done
  TOTAL=0
  for s in "${SELECTED[@]}"; do TOTAL=$((TOTAL + LIMIT[$s])); done
fi
BUDGET=$TOTAL
PLAN=""
for s in "${SELECTED[@]}"; do PLAN+="${PLAN:+, }$s ${LIMIT[$s]}"; done
echo "gpu_check plan: device $DEVICE$([ "$QUICK" = 1 ] && echo ", quick"), budget $BUDGET s: $PLAN (seconds)"

# The Python with torch: RETRAIN_PYTHON, else the project venv, else the system's (the GPU machine's).
PY=${RETRAIN_PYTHON:-}
[ -n "$PY" ] || { [ -x .venv/bin/python ] && PY=$ROOT/.venv/bin/python; } || PY=python3
if [ -n "$BUILD" ]; then
  BIN=$BUILD TESTS=$BUILD/tests/retrain_tests BENCH=$BUILD/bench/retrain_bench_networks LIBDIR=""
elif [ -d .gpu/bin ]; then
  BIN=$ROOT/.gpu/bin TESTS=$ROOT/.gpu/bin/retrain_tests BENCH=$ROOT/.gpu/bin/retrain_bench_networks LIBDIR=$ROOT/.gpu/lib
else
  BIN=$ROOT/build TESTS=$ROOT/build/tests/retrain_tests BENCH=$ROOT/build/bench/retrain_bench_networks LIBDIR=""
fi
RETRAIN=$BIN/retrain PROGRAM=$BIN/libexec/retrain  # the launcher users run, and the program it executes
OPS=$(dirname "$BENCH")/retrain_bench_ops
# The binaries find LibTorch and the wheel's CUDA libraries (nvidia/*/lib beside torch), after the packed
# libraries; Python runs with the caller's library path (py), so it never loads the packed libstdc++.
export ORIG_LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}
py() { LD_LIBRARY_PATH=$ORIG_LD_LIBRARY_PATH "$PY" "$@"; }
export -f py
TORCH_LIBS=$(py -c 'import glob, os, torch
site = os.path.dirname(os.path.dirname(torch.__file__))
print(":".join([os.path.join(os.path.dirname(torch.__file__), "lib")] + sorted(glob.glob(os.path.join(site, "nvidia", "*", "lib")))))')
export LD_LIBRARY_PATH=${LIBDIR:+$LIBDIR:}$TORCH_LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
export DEVICE QUICK PY RETRAIN PROGRAM TESTS BENCH OPS SCRATCH ROOT MATMUL
KERNEL_TESTS="FusedCombine.*:PhiloxNoise.*:AffineMix.*"
export GPU_TESTS="*.*Cuda*:$KERNEL_TESTS" KERNEL_TESTS

key() { printf '%s' "$*" > "$SCRATCH/$STEP.key"; }  # the step's key number for the summary
export -f key

step_device() {
  if [ "$DEVICE" = cuda ]; then
    command -v nvidia-smi >/dev/null || { echo "no nvidia-smi on PATH"; return 1; }
    nvidia-smi
  fi
  py -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "available", torch.cuda.is_available())'
  "$RETRAIN" info | tee "$SCRATCH/info.txt"
  local missing=0
  for b in "$RETRAIN" "$PROGRAM" "$TESTS" "$BENCH" "$OPS"; do
    echo "== ldd $b"
    ldd "$b" 2>&1 | tee "$SCRATCH/ldd.txt"
    if grep -q "not found" "$SCRATCH/ldd.txt"; then missing=1; fi
  done
  [ "$missing" = 0 ] || { echo "FAIL: a library is not found (above)"; return 1; }
  if [ "$DEVICE" = cuda ]; then
    py -c 'import torch; assert torch.cuda.is_available(), "torch sees no GPU"'
    key "$(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader | head -1); $(grep -m1 '^torch:' "$SCRATCH/info.txt")"
  else
    key "cpu, $(getconf _NPROCESSORS_ONLN) cores; $(grep -m1 '^torch:' "$SCRATCH/info.txt")"
  fi
}

step_matmul() {
  # shellcheck disable=SC2086  # MATMUL holds several flags
  py "$ROOT/scripts/matmul_ceiling.py" --device "$DEVICE" $MATMUL --json "$SCRATCH/matmul.json"
  key "$(py -c 'import json, sys; print(", ".join(f"{k} {v:.3g}" for k, v in json.load(open(sys.argv[1])).items()), "TFLOP/s")' "$SCRATCH/matmul.json")"
}

# A test run's key from its output, whatever ended it: counts, the failed tests by name, the test that
# was running when the binary crashed or was cut. Fails when a test failed, the binary did not finish,
# or (on cuda) a GPU test skipped.
gtest_key() {
  local log=$1 code=$2 passed skipped failed running text
  names() { sed -n "s/^\[  $1 \] \([A-Za-z_0-9/]*\.[A-Za-z_0-9/]*\).*/\1/p" "$log" | sort -u; }  # gtest lists them twice
  passed=$(grep -c '^\[       OK \]' "$log" || true)
  skipped=$(names SKIPPED | grep -c . || true)
  failed=$(names 'FAILED ' | paste -sd, - | sed 's/,/, /g')
  running=$(awk '/^\[ RUN      \]/ {t = $4} /^\[       OK \]|^\[  FAILED  \]|^\[  SKIPPED \]/ {t = ""} END {print t}' "$log")
  text="$passed passed, $skipped skipped"
  [ -z "$failed" ] || text+="; failed: $failed"
  [ "$code" = 0 ] || [ -z "$running" ] || text+="; stopped (exit $code) in $running"
  key "$text"
  if [ -n "$failed" ] || [ "$code" != 0 ]; then return 1; fi
  if [ "$DEVICE" = cuda ] && [ "$skipped" != 0 ]; then echo "FAIL: GPU tests skipped on a GPU machine"; return 1; fi
}
export -f gtest_key

step_gpu_tests() {
  local code=0
  "$TESTS" --gtest_filter="$GPU_TESTS" 2>&1 | tee "$SCRATCH/gtest.txt" || code=$?
  gtest_key "$SCRATCH/gtest.txt" "$code"
}

step_memcheck() {
  local sanitizer code=0
  sanitizer=$(command -v compute-sanitizer || ls /usr/local/cuda*/bin/compute-sanitizer /usr/local/cuda*/compute-sanitizer/compute-sanitizer 2>/dev/null | head -1 || true)
  if [ "$DEVICE" != cuda ] || [ -z "$sanitizer" ]; then
    key "skipped: $([ "$DEVICE" != cuda ] && echo "device $DEVICE" || echo "no compute-sanitizer")"
    return 77
  fi
  # Without torch's caching allocator every tensor is its own cudaMalloc, so memcheck sees overruns.
  PYTORCH_NO_CUDA_MEMORY_CACHING=1 "$sanitizer" --tool memcheck --error-exitcode 3 "$TESTS" --gtest_filter="$KERNEL_TESTS" 2>&1 |
    tee "$SCRATCH/memcheck.txt" || code=$?
  # A sanitizer that does not support this GPU says so and runs nothing: a SKIP with its reason.
  if grep -qi 'not supported' "$SCRATCH/memcheck.txt" && ! grep -q '^\[ RUN      \]' "$SCRATCH/memcheck.txt"; then
    key "skipped: $(grep -m1 -i 'not supported' "$SCRATCH/memcheck.txt" | sed 's/^=* *//')"
    return 77
  fi
  local result=0
  gtest_key "$SCRATCH/memcheck.txt" "$code" || result=$?
  key "$(cat "$SCRATCH/memcheck.key"); $(grep -m1 'ERROR SUMMARY' "$SCRATCH/memcheck.txt" | sed 's/^=* *//' || echo 'no error summary')"
  return "$result"
}

# A tiny image run through the executable: train -> sample -> eval, then SIGTERM mid-training and resume.
step_cli() {
  local dir=$SCRATCH/cli side=16 channels=32 kimg=12 snapshot=0.4
  [ "$DEVICE" = cpu ] && side=8 channels=8 kimg=1.2 snapshot=0.2
  mkdir -p "$dir"
  py - "$dir/images.idx" "$side" <<'EOF'
import struct, sys
path, side, n = sys.argv[1], int(sys.argv[2]), 32
pixels = bytes((7 * i + 13 * y + 3 * x) % 256 for i in range(n) for y in range(side) for x in range(side))
open(path, "wb").write(struct.pack(">IIII", 0x803, n, side, side) + pixels)  # IDX: uint8, 3 dimensions
EOF
  cat > "$dir/tiny.yaml" <<EOF
seed: 1
device: $DEVICE
data: {source: image, format: idx, path: $dir/images.idx, n: 0}
learner: {type: diffusion}
model: {arch: ddpmpp, channels: $channels, channel_mult: [1, 2], num_blocks: 1, attn_resolutions: [$((side / 2))], dropout: 0}
method: {type: edm, steps: 4, sample_batch: 8}
train: {batch: 8, lr: 1.0e-3, snapshot_kimg: $snapshot}
gen0: {kimg: 0.08}
eval: {num_samples: 8, grid: 8}
EOF
  "$RETRAIN" train --config "$dir/tiny.yaml" --out "$dir/runs" --quiet
  test -f "$dir/runs/tiny/gen_0000/model.safetensors"
  "$RETRAIN" sample "$dir/runs/tiny/gen_0000" --seeds 0-7 --out-dir "$dir/samples" --quiet
  test "$(ls "$dir/samples"/0*.png | wc -l)" = 8
  "$RETRAIN" eval "$dir/runs/tiny" --name check --quiet
  test -s "$dir/runs/tiny/eval/check/metrics.jsonl"
  echo "train, sample (8 PNGs), eval: ok"

  "$RETRAIN" --config "$dir/tiny.yaml" --out "$dir/long" --set gen0.kimg=$kimg --set loop.generations=0 > "$dir/long.log" 2>&1 &
  local pid=$! waited=0 code=0
  until ls -d "$dir/long/tiny/gen_0000.training"/step_* >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || { cat "$dir/long.log"; echo "FAIL: the run ended before its first snapshot"; return 1; }
    sleep 0.1
    waited=$((waited + 1))
  done
  kill -TERM "$pid"
  wait "$pid" || code=$?
  cat "$dir/long.log"
  [ "$code" = 130 ] || { echo "FAIL: SIGTERM gave exit code $code; expected 130"; return 1; }
  grep -q "a snapshot was saved" "$dir/long.log" || { echo "FAIL: no snapshot saved on SIGTERM"; return 1; }
  [ ! -e "$dir/long/tiny/gen_0000" ] || { echo "FAIL: training finished before SIGTERM"; return 1; }
  "$RETRAIN" resume "$dir/long/tiny" 2>&1 | tee "$dir/resume.log"
  grep -q "training continues from snapshot" "$dir/resume.log"
  test -f "$dir/long/tiny/gen_0000/model.safetensors"
  key "train, sample, eval ok; SIGTERM after $((waited / 10)).$((waited % 10)) s -> exit 130, resumed from its snapshot"
}

# The bench's key from its rows so far (also for a cut run): training images/s with the kernels.
bench_key() {
  key "train images/s with kernels:$(awk -F'|' '$5 ~ /train/ {gsub(/ /, "", $2); gsub(/ /, "", $9); printf " %s %s", $2, $9}' "$SCRATCH/bench.md")"
}
export -f bench_key

step_bench() {
  local peaks=() common=() p v
  for p in bf16 tf32 fp32; do
    v=$(py -c 'import json, sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$SCRATCH/matmul.json" "$p" 2>/dev/null || true)
    [ -z "$v" ] || peaks+=(--peak-tflops-$p "$v")
  done
  common=(--device "$DEVICE" "${peaks[@]}")
  : > "$SCRATCH/bench.md"
  if [ "$DEVICE" = cuda ] && [ "$QUICK" = 0 ]; then
    # Bounded GPU-sized work, the most useful row first (rows print as they finish, so a cut keeps them):
    # CIFAR-10 EDM at the config's training batch, sampling batch 256 with kernels, ATen and graphs; FFHQ
    # and the DDPM U-Net with shortened samplers and without the ATen sampling column.
    "$BENCH" "${common[@]}" --networks cifar_edm --sample-batch 256 | tee -a "$SCRATCH/bench.md"
    "$BENCH" "${common[@]}" --networks ffhq_edm --edm-steps 10 --sample-batch 64 --no-aten-sampling --no-header |
      tee -a "$SCRATCH/bench.md"
    "$BENCH" "${common[@]}" --networks cifar_ddpm --sample-batch 128 --ddpm-steps 100 --no-aten-sampling --no-header |
      tee -a "$SCRATCH/bench.md"
  elif [ "$DEVICE" = cuda ]; then
    "$BENCH" "${common[@]}" --train-batch 64 --sample-batch 64 --train-steps 3 --edm-steps 4 --ddpm-steps 8 |
      tee -a "$SCRATCH/bench.md"
  elif [ "$QUICK" = 0 ]; then  # the real networks, tiny batches
    "$BENCH" "${common[@]}" --train-batch 2 --sample-batch 2 --train-steps 2 --edm-steps 2 --ddpm-steps 3 \
             --set train.precision=fp32 | tee -a "$SCRATCH/bench.md"
  else  # shrunk networks
    "$BENCH" "${common[@]}" --train-batch 2 --sample-batch 2 --train-steps 1 --edm-steps 2 --ddpm-steps 3 \
             --set train.precision=fp32 --set model.channels=32 --set model.num_blocks=1 | tee -a "$SCRATCH/bench.md"
  fi
}
# The fused ops alone, kernel against ATen and Philox against per-sample CPU generators (docs/benchmarks/ops.md).
ops_key() {
  key "ATen/kernel:$(awk -F'|' '$2 ~ /^ a x/ && $2 !~ /eps/ {gsub(/ /, "", $5); printf " %s", $5}' "$SCRATCH/ops.md") (noise-free rows; > 1: the kernel wins)"
}
export -f ops_key
step_ops() {
  local size=()
  if [ "$DEVICE" = cuda ]; then size=(--batch 512 --reps 20)   # cifar_edm's training batch
  elif [ "$QUICK" = 0 ]; then size=(--batch 64 --reps 10)
  else size=(--batch 8 --reps 3); fi
  "$OPS" --device "$DEVICE" "${size[@]}" | tee "$SCRATCH/ops.md"
}
export -f step_device step_matmul step_gpu_tests step_memcheck step_cli step_ops step_bench

# The logs: five files with summary.md (the device tool brings back at most eight).
declare -A LOG=([device]=setup [matmul]=setup [gpu_tests]=tests [memcheck]=tests [bench]=bench [ops]=bench [cli]=cli)
# A test step cut before it could count: its counts and the test it was in, from the output so far.
cut_tests_key() { [ -s "$SCRATCH/$STEP.key" ] || gtest_key "$SCRATCH/$1" 124 || true; }
# Steps whose key is read from their output after they end, however they ended.
declare -A AFTER=([bench]=bench_key [ops]=ops_key [gpu_tests]="cut_tests_key gtest.txt" [memcheck]="cut_tests_key memcheck.txt")
START=$SECONDS
ROWS=()
FAILED=0 CUT=0
run_step() {  # NAME: runs step_NAME within its limit (less if the budget is nearly spent)
  local name=$1 limit=${LIMIT[$1]} status t0 code=0 log="$OUTDIR/${LOG[$1]}.log"
  local left=$((BUDGET - (SECONDS - START)))
  [ "$limit" -le "$left" ] || limit=$left
  t0=$SECONDS
  echo "=== $name (limit $limit s) ===" >> "$log"
  if [ "$limit" -lt 5 ]; then
    echo "not run: the budget of $BUDGET s is spent" >> "$log"
    printf 'not run: budget spent' > "$SCRATCH/$name.key"
    code=124
  else
    STEP=$name timeout -k 10 "$limit" bash -c "set -euo pipefail; step_$name" >> "$log" 2>&1 || code=$?
  fi
  # shellcheck disable=SC2086  # AFTER holds a function and its arguments
  [ -z "${AFTER[$name]:-}" ] || STEP=$name ${AFTER[$name]} >> "$log" 2>&1 || true
  case $code in
    0) status=PASS ;;
    77) status=SKIP ;;
    124 | 137) status=CUT; CUT=1; echo "cut after $limit s" >> "$log"
               printf '%s (cut at %s s)' "$(cat "$SCRATCH/$name.key" 2>/dev/null || echo 'nothing measured')" "$limit" > "$SCRATCH/$name.key" ;;
    *) status=FAIL; FAILED=1 ;;
  esac
  ROWS+=("| $name | $status | $((SECONDS - t0)) | $(cat "$SCRATCH/$name.key" 2>/dev/null || echo "exit $code, see ${LOG[$name]}.log") |")
  echo "gpu_check: $name $status ($((SECONDS - t0)) s)"
}
export STEP=""

for s in "${SELECTED[@]}"; do run_step "$s"; done

{
  echo "# gpu_check: device $DEVICE$([ "$QUICK" = 1 ] && echo ", quick"), $(date -u '+%Y-%m-%d %H:%M UTC'), $((SECONDS - START)) s"
  echo
  echo "Plan: budget $BUDGET s: $PLAN (seconds)."
  echo
  echo "| step | status | seconds | key number |"
  echo "|---|---|---:|---|"
  printf '%s\n' "${ROWS[@]}"
  if [ -s "$SCRATCH/ops.md" ]; then
    echo
    echo "## Fused ops (bench.log)"
    echo
    grep '^|' "$SCRATCH/ops.md"
  fi
  if [ -s "$SCRATCH/bench.md" ]; then
    echo
    echo "## Network benchmark (bench.log)"
    echo
    cat "$SCRATCH/bench.md"
  fi
} > "$OUTDIR/summary.md"
cat "$OUTDIR/summary.md"
if [ "$FAILED" = 1 ]; then exit 1; fi
if [ "$CUT" = 1 ]; then exit 3; fi
exit 0
