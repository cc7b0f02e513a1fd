#!/usr/bin/env python3
"""Metric curves per generation from one or more retrain run directories.

    .venv/bin/python scripts/plot.py runs/demo/synthetic_only runs/demo/fixed_real -o runs/demo/plots
    .venv/bin/python scripts/plot.py runs/sweep/* --metrics sw2,mode_std_ratio -o plots/

For each metric found in the runs' metrics.jsonl (or those named with --metrics) it writes
<out>/<metric>.png with one line per run (labelled by the run directory's name), generation on the x axis.
Metrics with a standard-error column (x_mean with x_se, or x with x_se) get a shaded +-2 SE band.
"""
import argparse
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

SKIP = {"generation", "wall_s", "n_train", "n_synthetic_new", "images_seen", "nonfinite_steps"}


def read_metrics(run_dir):
    path = os.path.join(run_dir, "metrics.jsonl")
    if not os.path.isfile(path):
        sys.exit(f"plot.py: {run_dir} has no metrics.jsonl (is it a retrain run directory?)")
    rows = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line:
                rows.append(json.loads(line))
    return rows


def numeric_keys(rows):
    keys = []
    for row in rows:
        for k, v in row.items():
            if k not in SKIP and not k.endswith("_se") and isinstance(v, (int, float)) and k not in keys:
                keys.append(k)
    return keys


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", help="run directories")
    ap.add_argument("-o", "--out", required=True, help="output directory for the PNGs")
    ap.add_argument("--metrics", help="comma-separated metric names (default: every numeric metric)")
    ap.add_argument("--labels", help="comma-separated labels, one per run (default: directory names)")
    args = ap.parse_args()

    runs = [(os.path.basename(os.path.normpath(r)), read_metrics(r)) for r in args.runs]
    if args.labels:
        labels = args.labels.split(",")
        if len(labels) != len(runs):
            sys.exit(f"plot.py: {len(labels)} labels for {len(runs)} runs")
        runs = [(label, rows) for label, (_, rows) in zip(labels, runs)]
    metrics = args.metrics.split(",") if args.metrics else numeric_keys([r for _, rows in runs for r in rows])
    os.makedirs(args.out, exist_ok=True)
    for metric in metrics:
        fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
        for label, rows in runs:
            se_key = metric[:-5] + "_se" if metric.endswith("_mean") else metric + "_se"
            pts = [(r["generation"], r[metric], r.get(se_key)) for r in rows
                   if isinstance(r.get(metric), (int, float)) and not math.isnan(r[metric])]
            if not pts:
                continue
            g = [p[0] for p in pts]
            y = [p[1] for p in pts]
            line, = ax.plot(g, y, label=label, marker="." if len(g) < 40 else None)
            if all(p[2] is not None for p in pts):
                lo = [p[1] - 2 * p[2] for p in pts]
                hi = [p[1] + 2 * p[2] for p in pts]
                ax.fill_between(g, lo, hi, color=line.get_color(), alpha=0.2, linewidth=0)
        ax.set_xlabel("generation")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = os.path.join(args.out, f"{metric}.png")
        fig.savefig(path + ".tmp.png")
        os.replace(path + ".tmp.png", path)
        plt.close(fig)
        print(path)


if __name__ == "__main__":
    main()
