#!/usr/bin/env bash
# Packs what scripts/gpu_check.sh runs on a GPU machine into .gpu/ (git-ignored; the device tool carries
# it): the stripped binaries in .gpu/bin and every shared library they load that the machine's torch
# wheel and system do not provide (not torch, CUDA or glibc) in .gpu/lib. Fails above 60 MiB (docs/gpu.md).
#   scripts/pack_gpu.sh            # builds first (RETRAIN_BUILD_DIR, default build/)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${RETRAIN_BUILD_DIR:-build}
limit_mib=60
tree_limit_mib=64
targets=(retrain retrain_tests retrain_bench_networks retrain_bench_ops retrain_bench_images retrain_bench_toy)
binaries=("$build/retrain" "$build/libexec/retrain" "$build/tests/retrain_tests" "$build/bench/retrain_bench_networks"
          "$build/bench/retrain_bench_ops" "$build/bench/retrain_bench_images" "$build/bench/retrain_bench_toy")
[ -f "$build/build.ninja" ] || { echo "pack_gpu: no build in '$build'; run scripts/setup.sh first" >&2; exit 1; }
cmake --build "$build" --target "${targets[@]}" | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
for b in "${binaries[@]}"; do [ -x "$b" ] || { echo "pack_gpu: build failed: $b is missing" >&2; exit 1; }; done

# Provided on the GPU machine: the torch wheel's libraries (torch/lib, nvidia/*), the CUDA driver and
# runtime family, and glibc with the dynamic loader.
torch_site=$(.venv/bin/python -c 'import os, torch; print(os.path.dirname(os.path.dirname(torch.__file__)))')
glibc='^(ld-linux|libc|libm|libmvec|libpthread|libdl|librt|libresolv|libutil)[-._]'
cuda='^lib(torch|c10|cuda|cudart|cudnn|cublas|cufft|curand|cusparse|cusolver|cupti|nccl|nv)'

# bin/ is flat but for libexec/retrain, the program the launcher bin/retrain executes from beside it.
packed_name() { case "$1" in */libexec/*) echo ".gpu/bin/libexec/$(basename "$1")" ;; *) echo ".gpu/bin/$(basename "$1")" ;; esac; }
rm -rf .gpu
mkdir -p .gpu/bin/libexec .gpu/lib
for b in "${binaries[@]}"; do
  strip -o "$(packed_name "$b")" "$b"
  # ldd lines: "name => /path (0x...)"; anything "not found" here would be missing there too.
  if ldd "$b" | grep -q "not found"; then ldd "$b" >&2; echo "pack_gpu: $b has unresolved libraries" >&2; exit 1; fi
  ldd "$b" | awk '$2 == "=>" && $3 ~ /^\// {print $1, $3}' | while read -r name path; do
    [[ "$path" == "$torch_site"/* || "$name" =~ $glibc || "$name" =~ $cuda ]] && continue
    [ -e ".gpu/lib/$name" ] || cp -L "$path" ".gpu/lib/$name"
  done
done
strip --strip-unneeded .gpu/lib/*
{
  echo "packed $(date -u '+%Y-%m-%d %H:%M UTC') from commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "built against: $(ldd --version | head -1); torch $(.venv/bin/python -c 'import torch; print(torch.__version__)')"
  echo "needs GLIBC <= $(find .gpu/bin .gpu/lib -type f -exec objdump -T {} + | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1)," \
       "GLIBCXX <= $(find .gpu/bin .gpu/lib -type f -exec objdump -T {} + | grep -o 'GLIBCXX_[0-9.]*' | sort -uV | tail -1)"
  (cd .gpu && ls -lR bin lib)
} > .gpu/MANIFEST.txt

mib() { echo $(( ($1 + (1 << 20) - 1) >> 20 )); }  # bytes -> MiB, rounded up
packed=$(du -sb .gpu | cut -f1)
# The device tool sends the working tree (tracked and untracked-not-ignored files) with .gpu/: 64 MiB in all.
tree=$( { git ls-files -z; git ls-files -z --others --exclude-standard; } | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
cat .gpu/MANIFEST.txt
echo "pack_gpu: .gpu/ holds $(find .gpu/bin -type f | wc -l) binaries and $(ls .gpu/lib | wc -l) libraries:" \
     "$(mib "$packed") MiB (limit $limit_mib MiB); with the working tree $(mib $((packed + tree))) MiB (limit $tree_limit_mib MiB)"
[ "$(mib "$packed")" -le "$limit_mib" ] || { echo "pack_gpu: .gpu/ is $(mib "$packed") MiB, over $limit_mib MiB" >&2; exit 1; }
[ "$(mib $((packed + tree)))" -le "$tree_limit_mib" ] ||
  { echo "pack_gpu: .gpu/ and the working tree are $(mib $((packed + tree))) MiB, over the device tool's $tree_limit_mib MiB" >&2; exit 1; }
