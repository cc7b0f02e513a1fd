#!/usr/bin/env python3
"""Metric curves per generation from one or more retrain run directories.

    .venv/bin/python scripts/plot.py runs/demo/synthetic_only runs/demo/fixed_real -o runs/demo/plots
    .venv/bin/python scripts/plot.py runs/sweep/* --metrics sw2,mode_std_ratio -o plots/

For each metric found in the runs' metrics.jsonl (or those named with --metrics) it writes
<out>/<metric>.png with one line per run (labelled by the run directory's name), generation on the x axis.
Metrics with a standard-error column (x_mean with x_se, or x with x_se) get a shaded +-2 SE band.

--pool-seeds (both forms): runs whose config.yaml files agree except for seed, name and out (e.g. a
sweep with --grid seed=0,1,2) become one line, the mean over seeds at each generation they all reached,
with a +-2 SE band across seeds, labelled "(k seeds)"; the default form also writes those numbers to
<out>/pooled_seeds.csv (label, seeds, generation, metric, mean, se) when it pooled any:

    .venv/bin/python scripts/plot.py runs/sweep/* --pool-seeds -o plots/

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


POOL_IGNORES = {"seed", "name", "out"}


def se_key_of(metric):
    """The standard-error column of a metric: x_mean -> x_se, x -> x_se."""
    return metric[:-5] + "_se" if metric.endswith("_mean") else metric + "_se"


def with_seeds(label, seeds):
    """A line's label, marked "(k seeds)" when it pools several."""
    return f"{label} ({seeds} seeds)" if seeds > 1 else label


def pool_seeds(runs):
    """runs: [(label, rows, config)] -> [(label, rows, config, seeds)]. Runs whose configs agree except
    for POOL_IGNORES (and for keys that only some configs have, all with one value) become one: per
    generation all of them reached, each numeric metric's mean over the runs and, as <metric>_se, its
    standard error across them; the label is the first run's without its seed=... part. A run alone in
    its group is kept as it is (seeds = 1)."""
    # A key some configs lack (one added by a later retrain, written with its default by newer runs)
    # takes part only if the configs that have it disagree on it.
    all_keys = set().union(*(config.keys() for _, _, config in runs))
    ignored = set(POOL_IGNORES)
    for k in all_keys:
        present = [config[k] for _, _, config in runs if k in config]
        if len(present) < len(runs) and len(set(present)) == 1:
            ignored.add(k)
    groups = {}
    for label, rows, config in runs:
        key = tuple(sorted((k, v) for k, v in config.items() if k not in ignored))
        groups.setdefault(key, []).append((label, rows, config))
    pooled = []
    for members in groups.values():
        if len(members) == 1:
            pooled.append((*members[0], 1))
            continue
        by_generation = [{r["generation"]: r for r in rows} for _, rows, _ in members]
        common = sorted(set.intersection(*(set(g) for g in by_generation)))
        rows = []
        for g in common:
            row = {"generation": g}
            for metric in numeric_keys([gen[g] for gen in by_generation]):
                values = [gen[g].get(metric) for gen in by_generation]
                if not all(isinstance(v, (int, float)) and not math.isnan(v) for v in values):
                    continue
                k = len(values)
                mean = sum(values) / k
                row[metric] = mean
                row[se_key_of(metric)] = math.sqrt(sum((v - mean) ** 2 for v in values) / (k - 1) / k)
            rows.append(row)
        first_label = members[0][0]
        parts = [p for p in first_label.split(",") if not os.path.basename(p).startswith("seed=")]
        pooled.append((",".join(parts) or "all seeds", rows, members[0][2], len(members)))
    return pooled


def write_pooled_csv(path, pooled):
    """The lines of `pooled` (pool_seeds' output) that pool several seeds, as a long CSV; no file when
    none does."""
    if all(seeds == 1 for *_, seeds in pooled):
        return
    with open(path + ".tmp", "w") as f:
        f.write("label,seeds,generation,metric,mean,se\n")
        for label, rows, _, seeds in pooled:
            if seeds == 1:
                continue
            for row in rows:
                for metric in numeric_keys([row]):
                    f.write(f'"{label}",{seeds},{row["generation"]},{metric},{row[metric]!r},{row[se_key_of(metric)]!r}\n')
    os.replace(path + ".tmp", path)


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


def metric_points(rows, metric):
    """(generation, value, standard error or None) of every row with a finite `metric`."""
    se_key = se_key_of(metric)
    return [(r["generation"], r[metric], r.get(se_key)) for r in rows
            if isinstance(r.get(metric), (int, float)) and not math.isnan(r[metric])]


def draw_curve(ax, pts, **style):
    """One line over the generations, with a +-2 SE band when every point has a standard error."""
    g = [p[0] for p in pts]
    y = [p[1] for p in pts]
    line, = ax.plot(g, y, marker="." if len(g) < 40 else None, **style)
    if all(p[2] is not None for p in pts):
        ax.fill_between(g, [p[1] - 2 * p[2] for p in pts], [p[1] + 2 * p[2] for p in pts],
                        color=line.get_color(), alpha=0.2, linewidth=0)


def figure3(argv):
    ap = argparse.ArgumentParser(prog="plot.py figure3",
                                 description="Paper 1's Figure 3: FID, precision and recall per generation.")
    ap.add_argument("runs", nargs="+", help="run directories (each with metrics.jsonl and config.yaml)")
    ap.add_argument("--out", required=True, help="the PNG to write")
    ap.add_argument("--pool-seeds", action="store_true", help="one line per config: the mean over seeds")
    args = ap.parse_args(argv)
    loaded = []
    for run_dir in args.runs:
        if not os.path.isdir(run_dir):
            sys.exit(f"plot.py: run directory {run_dir} does not exist")
        config = read_config(run_dir)
        loaded.append((run_dir, read_metrics(run_dir), config))
    loaded = pool_seeds(loaded) if args.pool_seeds else [(*run, 1) for run in loaded]
    runs = []
    for name, rows, config, seeds in loaded:
        label, baseline, lam, corrected = run_label(config, name)
        name, label = with_seeds(name, seeds), with_seeds(label, seeds)
        print(f"{name}: {label}")
        runs.append((name, label, baseline, lam, corrected, rows))
    # One colour per lambda; the baseline dashed, corrected runs dotted, so a sweep over lambda x
    # correction reads as pairs of lines.
    colours = {lam: f"C{i}" for i, lam in enumerate(sorted({run[3] for run in runs}))}

    fig, axes = plt.subplots(1, 3, figsize=(15, 4), dpi=120)
    for ax, metric in zip(axes, ("fid", "precision", "recall")):
        for run_dir, label, baseline, lam, corrected, rows in runs:
            pts = metric_points(rows, metric)
            if not pts:
                print(f"plot.py: {run_dir} has no {metric}; left out of the {metric} panel")
                continue
            draw_curve(ax, pts, label=label, color=colours[lam],
                       linestyle="--" if baseline else (":" if corrected else "-"))
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
    ap.add_argument("--label", action="append", dest="labels", metavar="LABEL",
                    help="a run's label, once per run in order (default: directory names)")
    ap.add_argument("--pool-seeds", action="store_true", help="one line per config: the mean over seeds")
    args = ap.parse_args()

    labels = [os.path.basename(os.path.normpath(r)) for r in args.runs]
    if args.labels:
        labels = args.labels
        if len(labels) != len(args.runs):
            sys.exit(f"plot.py: {len(labels)} --label values for {len(args.runs)} runs")
    runs = [(label, read_metrics(r), read_config(r) if args.pool_seeds else {}) for label, r in zip(labels, args.runs)]
    os.makedirs(args.out, exist_ok=True)
    if args.pool_seeds:
        pooled = pool_seeds(runs)
        write_pooled_csv(os.path.join(args.out, "pooled_seeds.csv"), pooled)
        runs = [(with_seeds(label, seeds), rows) for label, rows, _, seeds in pooled]
    else:
        runs = [(label, rows) for label, rows, _ in runs]
    metrics = args.metrics.split(",") if args.metrics else numeric_keys([r for _, rows in runs for r in rows])
    for metric in metrics:
        fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
        for label, rows in runs:
            pts = metric_points(rows, metric)
            if pts:
                draw_curve(ax, pts, label=label)
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
