#!/usr/bin/env bash
# The toy benchmark side by side: C++ (build/bench/retrain_bench_toy) and the same computation in a
# plain PyTorch Python loop (bench/toy_bench.py), same torch, same thread count, one after the other in
# one run; prints a ratio table (Python time / C++ time: > 1 means C++ is faster).
#   scripts/bench_toy.sh [--steps N] [--samples N] [--width W] [--precision fp32|bf16]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh > /dev/null
out=$(mktemp)
"${RETRAIN_BUILD_DIR:-build}/bench/retrain_bench_toy" "$@" > "$out"
.venv/bin/python bench/toy_bench.py "$@" >> "$out"
.venv/bin/python - "$out" <<'PY'
import json, sys, platform, os
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {(r["impl"], r["method"]): r for r in rows}
print(f"toy benchmark: MLP 4x{rows[0]['width']}, batch 256, {rows[0]['precision']} training; "
      f"{rows[0]['samples']} samples per pass; "
      f"{rows[0]['threads']} threads; {os.cpu_count()} CPUs; {platform.processor() or platform.machine()}")
print(f"{'method':8} {'C++ ms/step':>12} {'Py ms/step':>11} {'ratio':>6} | {'C++ s/pass':>11} {'Py s/pass':>10} {'ratio':>6}")
for m in ("ddpm", "edm", "cfm"):
    c, p = by[("cpp", m)], by[("python", m)]
    print(f"{m:8} {c['train_step_ms']:12.2f} {p['train_step_ms']:11.2f} {p['train_step_ms'] / c['train_step_ms']:6.2f} | "
          f"{c['sample_s']:11.2f} {p['sample_s']:10.2f} {p['sample_s'] / c['sample_s']:6.2f}")
PY
rm -f "$out"
