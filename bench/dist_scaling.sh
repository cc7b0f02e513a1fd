#!/usr/bin/env bash
# Data-parallel scaling on the CPU: the Fashion-MNIST U-Net (configs/fmnist_edm.yaml, batch 64) trained
# for KIMG thousand images by one process with all cores, and by N ranks (scripts/launch_local.sh,
# Gloo on loopback) with cores / N threads each, once per gradient bucket size (dist.bucket_mb; 0 =
# one all-reduce after backward, no overlap). Prints a Markdown table of the training images/s that
# the log reports (the "gen 0 training" line) and the speed-up over one process.
#   BUCKETS="0 1 25" bench/dist_scaling.sh [KIMG] [N...]     # defaults: 2 kimg, N = 2, buckets 0 1 25
set -euo pipefail
cd "$(dirname "$0")/.."
build=${RETRAIN_BUILD_DIR:-build}
[ -x "$build/retrain" ] || { echo "dist_scaling: no $build/retrain; run scripts/setup.sh first" >&2; exit 1; }
kimg=${1:-2}
shift || true
ranks=("${@:-2}")
read -r -a buckets <<< "${BUCKETS:-0 1 25}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(train --config configs/fmnist_edm.yaml --device cpu --out "$work" --set gen0.kimg="$kimg"
       --set eval.num_samples=64 --set eval.grid=0)

rate() {  # rate LOG -> the training images/s of the log's last "gen 0 training" summary
  grep -o 'gen 0 training .*' "$1" | grep -o '[0-9.]* img/s' | tail -1 | cut -d' ' -f1
}

"$build/retrain" "${flags[@]}" --name one > "$work/one.log" 2>&1 || { cat "$work/one.log" >&2; exit 1; }
base=$(rate "$work/one.log")
echo "dist_scaling: fmnist_edm U-Net, batch 64, gen0.kimg=$kimg, $(nproc) CPUs"
echo
echo "| processes | threads each | dist.bucket_mb | training img/s | speed-up |"
echo "| --- | --- | --- | --- | --- |"
printf '| 1 | %s | - | %.1f | 1.00 |\n' "$(nproc)" "$base"
for n in "${ranks[@]}"; do
  for mb in "${buckets[@]}"; do
    name="ranks_${n}_bucket_$mb"
    LOG_DIR="$work/logs_$name" scripts/launch_local.sh "$n" "$build/retrain" "${flags[@]}" --name "$name" \
      --set dist.bucket_mb="$mb" > "$work/$name.log" 2>&1 || { cat "$work/$name.log" >&2; exit 1; }
    r=$(rate "$work/$name.log")
    printf '| %s | %s | %s | %.1f | %.2f |\n' "$n" "$(( $(nproc) / n > 0 ? $(nproc) / n : 1 ))" "$mb" "$r" \
      "$(echo "$r / $base" | bc -l)"
  done
done
