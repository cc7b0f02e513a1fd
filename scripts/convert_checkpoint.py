#!/usr/bin/env python3
# Converts an official NVlabs/edm checkpoint (network-snapshot-*.pkl, training-state-*.pt) or a
# tqch/ddpm-torch .pt checkpoint into retrain's checkpoint directory; see docs/convert.md.
import argparse
import json
import pathlib
import pickle
import re
import sys
import zlib
from dataclasses import dataclass, field

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from safetensors_io import save_safetensors  # noqa: E402

KINDS = ("edm-pkl", "edm-state", "ddpm-torch")
CHECKPOINT_FILES = ("model.safetensors", "ema.safetensors", "optimizer.safetensors", "trainer.json", "network.json")
ARCHS = ("ddpmpp", "ncsnpp", "ddpm_unet")
DDPM_TORCH_BATCH_SIZE = 128  # ddpm-torch's configs (cifar10, celeba) train with batch 128


class ConversionError(Exception):
    """A checkpoint that cannot be converted; the message says what is wrong and what was expected."""


@dataclass
class Converted:
    model: dict  # name -> tensor, parameters and buffers
    ema: dict  # same names as model
    parameter_names: list  # the model's parameters in the order the optimizer numbered them
    optimizer: dict  # exp_avg.<name>, exp_avg_sq.<name>, step.<name>
    images_seen: int
    step: int
    network: dict  # network.json: arch, sample_shape [C, R, R], num_classes
    notes: list = field(default_factory=list)


def missing_module_error(error):
    return ConversionError(
        f"unpickling needs the Python module '{error.name}', which is not importable. EDM checkpoints pickle "
        "classes of the NVlabs/edm code: put your edm checkout on PYTHONPATH (PYTHONPATH=/path/to/edm)")


def unpickle(path):
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except ModuleNotFoundError as e:
        raise missing_module_error(e) from e
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as e:
        raise ConversionError(f"not a readable pickle ({type(e).__name__}: {e})") from e


def torch_load(path):
    # The checkpoints pickle Python objects (EDM's training state holds the network module), so the
    # full unpickler is needed: convert only files you trust.
    try:
        return torch.load(path, map_location="cpu", weights_only=False)
    except ModuleNotFoundError as e:
        raise missing_module_error(e) from e
    except (pickle.UnpicklingError, EOFError, RuntimeError, ValueError, TypeError, AttributeError) as e:
        raise ConversionError(f"not a readable torch checkpoint ({type(e).__name__}: {e})") from e


def read_checkpoint(path, kind):
    return unpickle(path) if kind == "edm-pkl" or (kind is None and path.suffix == ".pkl") else torch_load(path)


def detect_kind(path, data):
    if isinstance(data, dict):
        if "ema" in data and path.suffix == ".pkl":
            return "edm-pkl"
        if "net" in data and "optimizer_state" in data:
            return "edm-state"
        if "model" in data:
            return "ddpm-torch"
    keys = sorted(data) if isinstance(data, dict) else type(data).__name__
    raise ConversionError(
        f"cannot tell the checkpoint kind from its contents ({keys}); expected a dict with 'ema' (EDM "
        "network-snapshot .pkl), 'net' and 'optimizer_state' (EDM training-state .pt) or 'model' (ddpm-torch .pt); "
        "pass --kind")


def require_key(data, key, what):
    if not isinstance(data, dict) or key not in data:
        found = sorted(data) if isinstance(data, dict) else type(data).__name__
        raise ConversionError(f"{what} needs the key '{key}'; found {found}")
    return data[key]


def images_from_file_name(path, override):
    """EDM names its files by thousands of images seen: network-snapshot-200000.pkl = 200,000 kimg."""
    if override is not None:
        return override
    match = re.search(r"-(\d+)\.(pkl|pt)$", path.name)
    if not match:
        raise ConversionError(f"the file name '{path.name}' carries no kimg count (like network-snapshot-200000.pkl); "
                              "pass --images-seen")
    return int(match.group(1)) * 1000


def edm_unet(precond, what):
    """The SongUNet inside an EDMPrecond-like module (its `.model`)."""
    unet = getattr(precond, "model", None)
    if not isinstance(unet, torch.nn.Module):
        raise ConversionError(f"{what} is a {type(precond).__name__} without a torch.nn.Module `.model` "
                              "(expected EDM's preconditioning wrapper around the SongUNet)")
    return unet


def edm_network(precond, unet, args):
    """network.json of an EDMPrecond-like wrapper: its img_channels, img_resolution and label_dim; the arch
    from the SongUNet's noise embedding (ncsnpp's FourierEmbedding has a `freqs` buffer, ddpmpp's
    PositionalEmbedding none), unless --arch says otherwise."""
    if args.resolution is not None or args.channels is not None:
        raise ConversionError("--resolution and --channels apply to ddpm-torch checkpoints only; EDM networks "
                              "carry their own (img_resolution, img_channels)")
    shape = {}
    for attribute in ("img_channels", "img_resolution", "label_dim"):
        value = getattr(precond, attribute, None)
        if not isinstance(value, int):
            raise ConversionError(f"the {type(precond).__name__} has no integer `{attribute}` (expected EDM's "
                                  "preconditioning wrapper, which sets img_channels, img_resolution and label_dim)")
        shape[attribute] = value
    arch = args.arch
    if arch is None:
        if type(unet).__name__ != "SongUNet":
            raise ConversionError(f"the network is a {type(unet).__name__}; retrain has EDM's SongUNet (ddpmpp, "
                                  "ncsnpp) only; pass --arch to convert it anyway")
        arch = "ncsnpp" if "map_noise.freqs" in unet.state_dict() else "ddpmpp"
    return {"arch": arch, "sample_shape": [shape["img_channels"], shape["img_resolution"], shape["img_resolution"]],
            "num_classes": shape["label_dim"]}


def ddpm_torch_network(args):
    """network.json of a ddpm-torch checkpoint, which does not record its data: from the flags."""
    resolution = 32 if args.resolution is None else args.resolution
    channels = 3 if args.channels is None else args.channels
    if resolution < 1 or channels < 1:
        raise ConversionError(f"--resolution {resolution} and --channels {channels} must be positive")
    return {"arch": args.arch or "ddpm_unet", "sample_shape": [channels, resolution, resolution], "num_classes": 0}


def fresh_adam_state(model, parameter_names):
    """Zero moments at step 0: the state of an Adam that has not stepped yet."""
    state = {}
    for name in parameter_names:
        state[f"exp_avg.{name}"] = torch.zeros_like(model[name])
        state[f"exp_avg_sq.{name}"] = torch.zeros_like(model[name])
        state[f"step.{name}"] = torch.zeros((), dtype=torch.float32)
    return state


def named_adam_state(adam, model, parameter_names):
    """torch.optim.Adam's state_dict numbers parameters 0.. in the order they were given; name them."""
    groups = require_key(adam, "param_groups", "the optimizer state")
    ids = [i for group in groups for i in group["params"]]
    if len(ids) != len(parameter_names):
        raise ConversionError(f"the optimizer state covers {len(ids)} parameters, the network has "
                              f"{len(parameter_names)}; is it the optimizer of this network?")
    per_param = require_key(adam, "state", "the optimizer state")
    named = fresh_adam_state(model, parameter_names)
    for param_id, name in zip(ids, parameter_names):
        entry = per_param.get(param_id)
        if entry is None:
            continue  # never stepped (no gradient yet): the fresh state is what torch would have
        for moment in ("exp_avg", "exp_avg_sq"):
            value = require_key(entry, moment, f"optimizer entry {param_id} ({name})")
            if value.shape != model[name].shape:
                raise ConversionError(f"optimizer entry {param_id} has {moment} of shape {tuple(value.shape)}, but the "
                                      f"parameter it should belong to, '{name}', has shape {tuple(model[name].shape)}")
            named[f"{moment}.{name}"] = value
        named[f"step.{name}"] = torch.as_tensor(float(require_key(entry, "step", f"optimizer entry {param_id}")))
    return named


def optimizer_steps(optimizer):
    return max((int(v.item()) for k, v in optimizer.items() if k.startswith("step.")), default=0)


def tensors_of(tree, prefix=""):
    """The tensors of a nested dict under dotted names ({'shadow': {'a.w': t}} -> {'shadow.a.w': t})."""
    out = {}
    for key, value in tree.items():
        if torch.is_tensor(value):
            out[prefix + str(key)] = value
        elif isinstance(value, dict):
            out.update(tensors_of(value, f"{prefix}{key}."))
    return out


def select_by_common_prefix(names, tensors, what):
    """{name: tensors[prefix + name]} for the one prefix (maybe empty) under which `tensors` holds every name."""
    first = names[0]
    prefixes = [key[:len(key) - len(first)] for key in tensors
                if key.endswith(first) and (key == first or key[-len(first) - 1] == ".")]
    for prefix in prefixes:
        if all(prefix + name in tensors for name in names):
            return {name: tensors[prefix + name] for name in names}
    sample = ", ".join(sorted(tensors)[:3])
    raise ConversionError(f"{what} does not hold the model's {len(names)} tensors under one common name prefix "
                          f"(looked for '{first}'; it has {len(tensors)} tensors, e.g. {sample})")


def check_same_shapes(reference, other, what):
    for name, tensor in reference.items():
        if other[name].shape != tensor.shape:
            raise ConversionError(f"{what}: tensor '{name}' has shape {tuple(other[name].shape)}, "
                                  f"the model's has {tuple(tensor.shape)}")


def pkl_ema_weights(path):
    try:
        data = unpickle(path)
        return edm_unet(require_key(data, "ema", "an EDM network snapshot"), "the snapshot's 'ema'").state_dict()
    except ConversionError as e:
        raise ConversionError(f"--ema {path}: {e}") from e


def convert_edm_pkl(path, data, args):
    precond = require_key(data, "ema", "an EDM network snapshot")
    unet = edm_unet(precond, "the snapshot's 'ema'")
    weights = unet.state_dict()
    names = [name for name, _ in unet.named_parameters()]
    return Converted(weights, weights, names, fresh_adam_state(weights, names),
                     images_from_file_name(path, args.images_seen), 0, edm_network(precond, unet, args),
                     ["the snapshot holds only the EMA weights: model and ema both get them",
                      "no optimizer state in a snapshot: optimizer.safetensors is a fresh Adam (zero moments, step 0)"])


def convert_edm_state(path, data, args):
    precond = require_key(data, "net", "an EDM training state")
    unet = edm_unet(precond, "the training state's 'net'")
    model = unet.state_dict()
    names = [name for name, _ in unet.named_parameters()]
    optimizer = named_adam_state(require_key(data, "optimizer_state", "an EDM training state"), model, names)
    notes = []
    if args.ema is not None:
        ema = pkl_ema_weights(args.ema)
        if set(ema) != set(model):
            raise ConversionError(f"--ema {args.ema} holds other tensor names than the training state's network")
        check_same_shapes(model, ema, f"--ema {args.ema}")
    else:
        ema = model
        notes.append("no --ema snapshot given: ema gets the raw weights (EDM keeps the EMA in network-snapshot-*.pkl)")
    return Converted(model, ema, names, optimizer, images_from_file_name(path, args.images_seen),
                     optimizer_steps(optimizer), edm_network(precond, unet, args), notes)


def convert_ddpm_torch(path, data, args):
    model = require_key(data, "model", "a ddpm-torch checkpoint")
    if not isinstance(model, dict) or not model:
        raise ConversionError(f"'model' should be a non-empty state dict, got {type(model).__name__}")
    model = {name.removeprefix("module."): t for name, t in model.items()} if all(
        name.startswith("module.") for name in model) else dict(model)  # saved from DistributedDataParallel
    # Assumption: ddpm-torch's UNet registers no buffers, so its state dict is its parameters in
    # registration order, the order torch.optim.Adam numbered them.
    names = list(model)
    notes = []
    if isinstance(data.get("ema"), dict):
        ema = select_by_common_prefix(names, tensors_of(data["ema"]), "'ema'")
        check_same_shapes(model, ema, "'ema'")
    else:
        ema = model
        notes.append("no 'ema' in the checkpoint: ema gets the model weights")
    if isinstance(data.get("optimizer"), dict):
        optimizer = named_adam_state(data["optimizer"], model, names)
    else:
        optimizer = fresh_adam_state(model, names)
        notes.append("no 'optimizer' in the checkpoint: optimizer.safetensors is a fresh Adam (zero moments, step 0)")
    step = optimizer_steps(optimizer)
    images = args.images_seen if args.images_seen is not None else step * args.batch_size
    if args.images_seen is None:
        notes.append(f"images_seen = {step} optimizer steps x batch {args.batch_size} (--batch-size)")
    return Converted(model, ema, names, optimizer, images, step, ddpm_torch_network(args), notes)


CONVERTERS = {"edm-pkl": convert_edm_pkl, "edm-state": convert_edm_state, "ddpm-torch": convert_ddpm_torch}


def as_float32(tensors):
    return {name: t.detach().cpu().to(torch.float32).contiguous() for name, t in tensors.items()}


def refuse_existing_checkpoint(out, force):
    existing = [name for name in CHECKPOINT_FILES if (out / name).exists()]
    if existing and not force:
        raise ConversionError(f"'{out}' already holds a checkpoint ({', '.join(existing)}); pass --force to overwrite")


def write_checkpoint(out, converted, source, kind):
    out.mkdir(parents=True, exist_ok=True)
    save_safetensors(out / "model.safetensors", as_float32(converted.model))
    save_safetensors(out / "ema.safetensors", as_float32(converted.ema))
    save_safetensors(out / "optimizer.safetensors", as_float32(converted.optimizer))
    state = {"images_seen": converted.images_seen, "step": converted.step, "nonfinite_steps": 0,
             "converted_from": {"kind": kind, "path": str(source.resolve())}}
    (out / "trainer.json").write_text(json.dumps(state, indent=2) + "\n")
    (out / "network.json").write_text(json.dumps(converted.network, indent=2) + "\n")
    write_manifest(out)


def write_manifest(out):
    """MANIFEST.json last, as retrain writes it (size and CRC-32 of every file), so retrain trusts the
    directory; anything added to it later makes retrain refuse it."""
    files = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != "MANIFEST.json"):
        data = path.read_bytes()
        files[path.relative_to(out).as_posix()] = {"size": len(data), "crc32": f"{zlib.crc32(data):08x}"}
    manifest = {"files": files, "info": {"converted_by": "scripts/convert_checkpoint.py"}}
    tmp = out / "MANIFEST.json.tmp"
    tmp.write_text(json.dumps(manifest, indent=1) + "\n")
    tmp.replace(out / "MANIFEST.json")


def print_summary(out, converted, source, kind):
    values = sum(converted.model[name].numel() for name in converted.parameter_names)
    buffers = len(converted.model) - len(converted.parameter_names)
    print(f"{kind}: {source} -> {out}")
    print(f"  tensors: {len(converted.model)} ({len(converted.parameter_names)} parameters, {buffers} buffers); "
          f"{values:,} parameter values")
    print(f"  images_seen: {converted.images_seen:,}; optimizer steps: {converted.step:,}")
    network = converted.network
    print(f"  network: {network['arch']}, sample shape {network['sample_shape']}, {network['num_classes']} classes")
    for note in converted.notes:
        print(f"  note: {note}")


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Converts an NVlabs/edm or tqch/ddpm-torch checkpoint into a retrain checkpoint directory.")
    parser.add_argument("checkpoint", type=pathlib.Path, help="the file to convert")
    parser.add_argument("--out", type=pathlib.Path, required=True, help="checkpoint directory to write (created)")
    parser.add_argument("--kind", choices=KINDS, help="checkpoint kind (default: detected from the contents)")
    parser.add_argument("--force", action="store_true", help="overwrite a checkpoint already in --out")
    parser.add_argument("--ema", type=pathlib.Path, help="edm-state only: the network-snapshot-*.pkl whose EMA to use")
    parser.add_argument("--images-seen", type=int, help="override the images-seen count written to trainer.json")
    parser.add_argument("--batch-size", type=int, default=DDPM_TORCH_BATCH_SIZE,
                        help="ddpm-torch only: images per optimizer step, for images_seen (default %(default)s)")
    parser.add_argument("--resolution", type=int, help="ddpm-torch only: image resolution for network.json (default 32)")
    parser.add_argument("--channels", type=int, help="ddpm-torch only: image channels for network.json (default 3)")
    parser.add_argument("--arch", choices=ARCHS, help="network.json's arch (default: ddpmpp or ncsnpp read from an "
                        "EDM network, ddpm_unet for ddpm-torch)")
    return parser.parse_args(argv)


def main(argv):
    args = parse_args(argv)
    source = args.checkpoint
    try:
        if not source.is_file():
            raise ConversionError("no such file")
        refuse_existing_checkpoint(args.out, args.force)  # before the (possibly long) unpickling
        data = read_checkpoint(source, args.kind)
        kind = args.kind or detect_kind(source, data)
        if args.ema is not None and kind != "edm-state":
            raise ConversionError(f"--ema applies to EDM training states only; this checkpoint is {kind}")
        converted = CONVERTERS[kind](source, data, args)
        write_checkpoint(args.out, converted, source, kind)
    except ConversionError as e:
        print(f"convert_checkpoint: {source}: {e}", file=sys.stderr)
        return 1
    print_summary(args.out, converted, source, kind)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
