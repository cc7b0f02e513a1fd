#!/usr/bin/env python3
"""TensorBoard event files from a retrain run's tables, written directly (no TensorFlow needed).

    .venv/bin/python scripts/export_tensorboard.py runs/NAME [--logdir DIR]
    tensorboard --logdir DIR          # or wandb sync / wandb.tensorboard, which read the same files

RUN is a run directory, or a sweep directory whose sub-directories are runs (each becomes a TensorBoard
run of its own, DIR/<grid point>/). DIR defaults to RUN/tensorboard. Scalars written:

  metrics/<key>  every numeric column of metrics.jsonl, at step = generation
  train/<key>    every numeric column of train_stats.jsonl (loss_mean, grad_norm, lr, images_per_s, ...),
                 at step = images trained since generation 0 started (the generations' fits in a row)
  train/generation  the generation of each train_stats row, at the same steps

The tables record no clock time, so every event carries the export's wall time. Exporting again
replaces the files this script wrote before (events.out.tfevents.*.retrain) and nothing else.

The format: a TFRecord file (per record: uint64 length, masked CRC-32C of the length, the bytes, masked
CRC-32C of the bytes; all little-endian) of Event protocol buffers: the first carries file_version, the
others a Summary of simple_value scalars.
"""
import argparse
import json
import math
import os
import socket
import struct
import sys
import time

# ---- CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) -----------------------------------------


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC32C_TABLE = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc = CRC32C_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data):
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def tfrecord(data):
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked_crc32c(length)) + data + struct.pack("<I", masked_crc32c(data))


# ---- protocol buffer encoding of Event / Summary ----------------------------------------------------


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def length_delimited(field, payload):
    return varint(field << 3 | 2) + varint(len(payload)) + payload


def event(wall_time, step, what):
    """Event: wall_time (1, double), step (2, int64), then one field of the `what` oneof."""
    return varint(1 << 3 | 1) + struct.pack("<d", wall_time) + varint(2 << 3 | 0) + varint(step) + what


def file_version_event(wall_time):
    return event(wall_time, 0, length_delimited(3, b"brain.Event:2"))


def scalars_event(wall_time, step, scalars):
    """Event with summary (5): Summary.value (1) entries of tag (1) and simple_value (2, float)."""
    values = b"".join(length_delimited(1, length_delimited(1, tag.encode()) + varint(2 << 3 | 5) + struct.pack("<f", v))
                      for tag, v in scalars)
    return event(wall_time, step, length_delimited(5, values))


# ---- the run's tables --------------------------------------------------------------------------------


def read_jsonl(path):
    """The JSON objects of complete lines (a last line still being appended is left out)."""
    if not os.path.isfile(path):
        return []
    with open(path) as f:
        text = f.read()
    rows = []
    for number, line in enumerate(text.split("\n")[:-1], 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as e:
                sys.exit(f"export_tensorboard.py: {path} line {number} is not JSON ({e})")
    return rows


def numeric(row, skip):
    return [(k, float(v)) for k, v in row.items()
            if k not in skip and isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)]


def run_events(run_dir, wall_time):
    """(step, [(tag, value)]) for every row of the run's metrics.jsonl and train_stats.jsonl."""
    events = []
    for row in read_jsonl(os.path.join(run_dir, "metrics.jsonl")):
        events.append((int(row["generation"]), [("metrics/" + k, v) for k, v in numeric(row, {"generation"})]))
    # The fits of the generations in a row: a generation's steps start where the previous one's ended.
    offset, last = {}, {}
    stats = read_jsonl(os.path.join(run_dir, "train_stats.jsonl"))
    for row in stats:
        g = int(row["generation"])
        last[g] = max(last.get(g, 0), int(row["images"]))
    total = 0
    for g in sorted(last):
        offset[g] = total
        total += last[g]
    for row in stats:
        g = int(row["generation"])
        scalars = [("train/" + k, v) for k, v in numeric(row, {"generation", "step", "images"})]
        events.append((offset[g] + int(row["images"]), scalars + [("train/generation", float(g))]))
    return [scalars_event(wall_time, step, scalars) for step, scalars in events if scalars]


def write_events(run_dir, logdir):
    wall_time = time.time()
    os.makedirs(logdir, exist_ok=True)
    for name in os.listdir(logdir):
        if name.startswith("events.out.tfevents.") and name.endswith(".retrain"):
            os.remove(os.path.join(logdir, name))
    path = os.path.join(logdir, f"events.out.tfevents.{int(wall_time)}.{socket.gethostname()}.retrain")
    records = [file_version_event(wall_time)] + run_events(run_dir, wall_time)
    with open(path + ".tmp", "wb") as f:
        for r in records:
            f.write(tfrecord(r))
    os.replace(path + ".tmp", path)
    return path, len(records) - 1


def is_run(path):
    return os.path.isfile(os.path.join(path, "config.yaml")) and os.path.isfile(os.path.join(path, "run.json"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run", help="a run directory, or a sweep directory of runs")
    ap.add_argument("--logdir", help="where the event files go (default: RUN/tensorboard)")
    args = ap.parse_args()
    logdir = args.logdir or os.path.join(args.run, "tensorboard")
    if is_run(args.run):
        runs = [(args.run, logdir)]
    elif os.path.isdir(args.run):
        runs = [(os.path.join(args.run, d), os.path.join(logdir, d)) for d in sorted(os.listdir(args.run))
                if is_run(os.path.join(args.run, d))]
    else:
        runs = []
    if not runs:
        sys.exit(f"export_tensorboard.py: {args.run} is neither a run directory (config.yaml and run.json) nor a "
                 "sweep directory of runs")
    for run_dir, run_logdir in runs:
        path, count = write_events(run_dir, run_logdir)
        print(f"{path}: {count} events")


if __name__ == "__main__":
    main()
