#!/usr/bin/env python3
"""Metric curves per generation from one or more retrain run directories.

    .venv/bin/python scripts/plot.py runs/demo/synthetic_only runs/demo/fixed_real -o runs/demo/plots
    .venv/bin/python scripts/plot.py runs/sweep/* --metrics sw2,mode_std_ratio -o plots/

For each metric found in the runs' metrics.jsonl (or those named with --metrics) it writes
<out>/<metric>.png with one line per run (labelled by the run directory's name), generation on the x axis.
Metrics with a standard-error column (x_mean with x_se, or x with x_se) get a shaded +-2 SE band.

Paper 1's Figure 3 panel (FID, precision and recall against generation, side by side):

    .venv/bin/python scripts/plot.py figure3 --out fig3.png runs/sweep/*

One line per run, labelled by its config.yaml's loop.lambda (plus loop.correction.type and its gamma or
strength when the type is not none); runs with lambda = 0 (more training on real data only) are the
dashed baseline. A run without a metric is left out of that panel, with a note on stdout. A run
directory without metrics.jsonl or config.yaml stops the script with an error naming it.
"""
import argparse
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

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


def read_config(run_dir):
    """The scalars of the run's config.yaml (block-style, as retrain writes it) as {"loop.lambda": "0.5", ...}."""
    path = os.path.join(run_dir, "config.yaml")
    if not os.path.isfile(path):
        sys.exit(f"plot.py: {run_dir} has no config.yaml (is it a retrain run directory?)")
    values, parents = {}, []  # parents: (indent, key) of the enclosing maps
    with open(path) as f:
        for line in f:
            text = line.split(" #")[0].rstrip()
            stripped = text.lstrip()
            if not stripped or stripped.startswith(("-", "#")):
                continue  # list items: no key Figure 3 needs is a list
            key, sep, value = stripped.partition(":")
            if not sep:
                sys.exit(f"plot.py: {path}: cannot read line {line.strip()!r} (expected key: value)")
            indent = len(text) - len(stripped)
            while parents and parents[-1][0] >= indent:
                parents.pop()
            full = ".".join([k for _, k in parents] + [key.strip()])
            value = value.strip()
            if value:
                values[full] = value.strip("'\"")
            else:
                parents.append((indent, key.strip()))
    return values


def config_number(config, key, run_dir):
    try:
        return float(config[key])
    except (KeyError, ValueError):
        sys.exit(f"plot.py: {run_dir}/config.yaml has no numeric {key}")


def run_label(config, run_dir):
    """'lambda = 0.5', plus the correction when there is one; whether the run is the lambda = 0 baseline;
    its lambda; and whether it is corrected."""
    lam = config_number(config, "loop.lambda", run_dir)
    label = f"lambda = {lam:g}"
    correction = config.get("loop.correction.type", "none")
    if correction != "none":
        knob = "strength" if correction in ("nearest_mode", "kmeans") else "gamma"
        label += f", {correction} {knob} = {config_number(config, 'loop.correction.' + knob, run_dir):g}"
    if config.get("loop.real", "fixed") != "fixed":
        label += f", real {config['loop.real']}"
    if lam == 0:
        label += " (baseline)"
    return label, lam == 0, lam, correction != "none"


def figure3(argv):
    ap = argparse.ArgumentParser(prog="plot.py figure3",
                                 description="Paper 1's Figure 3: FID, precision and recall per generation.")
    ap.add_argument("runs", nargs="+", help="run directories (each with metrics.jsonl and config.yaml)")
    ap.add_argument("--out", required=True, help="the PNG to write")
    args = ap.parse_args(argv)
    runs = []
    for run_dir in args.runs:
        if not os.path.isdir(run_dir):
            sys.exit(f"plot.py: run directory {run_dir} does not exist")
        rows = read_metrics(run_dir)
        label, baseline, lam, corrected = run_label(read_config(run_dir), run_dir)
        print(f"{run_dir}: {label}")
        runs.append((run_dir, label, baseline, lam, corrected, rows))
    # One colour per lambda; the baseline dashed, corrected runs dotted, so a sweep over lambda x
    # correction reads as pairs of lines.
    colours = {lam: f"C{i}" for i, lam in enumerate(sorted({run[3] for run in runs}))}

    fig, axes = plt.subplots(1, 3, figsize=(15, 4), dpi=120)
    for ax, metric in zip(axes, ("fid", "precision", "recall")):
        for run_dir, label, baseline, lam, corrected, rows in runs:
            pts = [(r["generation"], r[metric]) for r in rows
                   if isinstance(r.get(metric), (int, float)) and not math.isnan(r[metric])]
            if not pts:
                print(f"plot.py: {run_dir} has no {metric}; left out of the {metric} panel")
                continue
            ax.plot([g for g, _ in pts], [y for _, y in pts], label=label, color=colours[lam],
                    linestyle="--" if baseline else (":" if corrected else "-"),
                    marker="." if len(pts) < 40 else None)
        ax.set_xlabel("generation")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(metric.upper() if metric == "fid" else metric)
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=8)
    fig.tight_layout()
    directory = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(directory, exist_ok=True)
    fig.savefig(args.out + ".tmp.png")
    os.replace(args.out + ".tmp.png", args.out)
    plt.close(fig)
    print(args.out)


def main():
    if sys.argv[1:2] == ["figure3"]:
        figure3(sys.argv[2:])
        return
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
