#!/usr/bin/env bash
# The image benchmark (bench/image_bench.cpp) for both U-Nets, with batches sized per network, as one
# Markdown table. The defaults suit a small CPU (about 1 minute on 2 quiet cores, up to 5 on a busy one);
# extra flags go to both runs.
#   scripts/bench_images.sh [--device cuda] [--steps N] ...
#   CIFAR_TRAIN_BATCH=4 CIFAR_SAMPLE_BATCH=2 CIFAR_STEPS=2 FASHION_TRAIN_BATCH=32 FASHION_SAMPLE_BATCH=16 \
#   FASHION_STEPS=10 scripts/bench_images.sh      # the per-network defaults, overridable
set -euo pipefail
cd "$(dirname "$0")/.."
build=${RETRAIN_BUILD_DIR:-build}
[ -f "$build/build.ninja" ] || { echo "bench_images: no build in '$build'; run scripts/setup.sh first" >&2; exit 1; }
cmake --build "$build" --target retrain_bench_images > /dev/null
bench="$build/bench/retrain_bench_images"
"$bench" --network cifar10 --train-batch "${CIFAR_TRAIN_BATCH:-4}" --sample-batch "${CIFAR_SAMPLE_BATCH:-2}" \
         --steps "${CIFAR_STEPS:-2}" "$@"
"$bench" --network fashion --train-batch "${FASHION_TRAIN_BATCH:-32}" --sample-batch "${FASHION_SAMPLE_BATCH:-16}" \
         --steps "${FASHION_STEPS:-10}" --no-header "$@"
