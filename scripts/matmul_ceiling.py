#!/usr/bin/env python3
"""Matrix-multiply ceiling of a device with torch: TFLOP/s of square n x n products in bf16, TF32 (CUDA
only) and full float32, the peaks the network benchmark's MFU is measured against.
  scripts/matmul_ceiling.py [--device cuda|cpu] [--size N] [--seconds S] [--json FILE]
"""
import argparse
import json
import sys
import time

import torch


def measure(device: str, dtype: torch.dtype, n: int, seconds: float) -> float:
    """TFLOP/s of repeated a @ b (2 n^3 FLOPs each) over about `seconds`, after one warm-up product."""
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    a @ b
    sync()
    start = time.perf_counter()
    a @ b
    sync()
    once = max(time.perf_counter() - start, 1e-9)
    repeats = max(1, int(seconds / once))
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    sync()
    elapsed = time.perf_counter() - start
    return 2 * n**3 * repeats / elapsed / 1e12


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    parser.add_argument("--size", type=int, default=8192, help="matrix side n (default 8192)")
    parser.add_argument("--seconds", type=float, default=2.0, help="timed seconds per precision (default 2)")
    parser.add_argument("--json", help="also write {precision: TFLOP/s} here")
    args = parser.parse_args()
    if args.size < 1 or args.seconds <= 0:
        parser.error(f"--size {args.size} and --seconds {args.seconds} must be >= 1 and > 0")
    if args.device == "cuda" and not torch.cuda.is_available():
        print("matmul_ceiling: --device cuda but torch sees no CUDA device", file=sys.stderr)
        return 1

    results = {}
    previous_tf32 = torch.backends.cuda.matmul.allow_tf32
    try:
        for name, dtype, tf32 in [("bf16", torch.bfloat16, False), ("tf32", torch.float32, True),
                                  ("fp32", torch.float32, False)]:
            if name == "tf32" and args.device != "cuda":
                continue  # TF32 is a tensor-core mode of NVIDIA GPUs
            torch.backends.cuda.matmul.allow_tf32 = tf32
            results[name] = measure(args.device, dtype, args.size, args.seconds)
    finally:
        torch.backends.cuda.matmul.allow_tf32 = previous_tf32

    name = torch.cuda.get_device_name() if args.device == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    print(f"device: {name}; torch {torch.__version__}; n = {args.size}")
    print("| precision | TFLOP/s |\n|---|---:|")
    for precision, value in results.items():
        print(f"| {precision} | {value:.3g} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
