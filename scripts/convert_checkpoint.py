#!/usr/bin/env python3
# Converts an official NVlabs/edm checkpoint (network-snapshot-*.pkl, training-state-*.pt) or a
# tqch/ddpm-torch .pt checkpoint into a complete retrain checkpoint directory: weights, optimizer,
# trainer.json, network.json with the full architecture, and a config.yaml (model.*, method.*, data.*)
# that `retrain sample / metrics / eval` read when no --config is given; see docs/convert.md.
import argparse
import importlib
import importlib.machinery
import importlib.util
import json
import math
import pathlib
import pickle
import re
import sys
import types
import zlib
from dataclasses import dataclass, field

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from safetensors_io import save_safetensors  # noqa: E402

KINDS = ("edm-pkl", "edm-state", "ddpm-torch")
CHECKPOINT_FILES = ("model.safetensors", "ema.safetensors", "optimizer.safetensors", "trainer.json", "network.json",
                    "config.yaml")
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
    network: dict  # network.json: arch, sample_shape [C, R, R], num_classes, model (the model.* keys)
    notes: list = field(default_factory=list)
    config: str = None  # config.yaml's text, or None when retrain has no method for the network


# What NVlabs/edm's pickles need: they name torch_utils.persistence._reconstruct_persistent_obj, which
# runs the pickled source of training/networks.py, loss.py and augment.py; those import torch_utils.misc,
# and both import dnnlib (dnnlib/util.py).
EDM_PACKAGES = ("torch_utils", "dnnlib", "training")
EDM_NEEDS = ("NVlabs/edm's torch_utils (torch_utils/persistence.py, torch_utils/misc.py) and dnnlib (dnnlib/__init__.py, "
             "dnnlib/util.py)")
# Imported by those modules (dnnlib/util.py: requests; EDM's scripts: click, tqdm) but never used while
# unpickling: stand-ins are put in their place when they are not installed.
IMPORT_ONLY = ("requests", "click", "tqdm")


class ImportedOnly(types.ModuleType):
    """Stands in for a module that EDM's code imports but unpickling does not use; using it fails loudly."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)

        def unavailable(*args, **kwargs):
            raise RuntimeError(f"{self.__name__}.{name} was called, but {self.__name__} is not installed: "
                               "scripts/convert_checkpoint.py put a stand-in in its place for unpickling only")
        return unavailable


def strtobool(text):
    """distutils.util.strtobool, which dnnlib/util.py imports (distutils is gone from Python 3.12)."""
    value = str(text).lower()
    if value in ("y", "yes", "t", "true", "on", "1"):
        return 1
    if value in ("n", "no", "f", "false", "off", "0"):
        return 0
    raise ValueError(f"invalid truth value {text!r}")


def importable(name):
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def prepare_edm_imports(edm_dir):
    """Puts the EDM checkout (--edm) first on sys.path and stand-ins for the modules it only imports."""
    if edm_dir is not None:
        if not (edm_dir / "torch_utils" / "persistence.py").is_file():
            raise ConversionError(f"--edm {edm_dir}: no torch_utils/persistence.py there; expected the root of an "
                                  "NVlabs/edm checkout (git clone https://github.com/NVlabs/edm)")
        sys.path.insert(0, str(edm_dir.resolve()))
    for name in IMPORT_ONLY:
        if name not in sys.modules and not importable(name):
            sys.modules[name] = with_spec(ImportedOnly(name))
    if "distutils.util" not in sys.modules and not importable("distutils.util"):
        distutils = sys.modules.setdefault("distutils", with_spec(types.ModuleType("distutils")))
        util = with_spec(types.ModuleType("distutils.util"))
        util.strtobool = strtobool
        distutils.util = util
        sys.modules["distutils.util"] = util


def with_spec(module):
    """A stand-in module with a __spec__, which torch's own import checks (importlib.util.find_spec) need."""
    module.__spec__ = importlib.machinery.ModuleSpec(module.__name__, None)
    return module


def missing_module_error(error):
    name = error.name or str(error)
    if name.split(".")[0] in EDM_PACKAGES:
        return ConversionError(
            f"unpickling needs the module '{name}', which is not importable. EDM checkpoints pickle classes of the "
            f"NVlabs/edm code and need {EDM_NEEDS}: pass your edm checkout with --edm /path/to/edm (git clone "
            "https://github.com/NVlabs/edm) or put it on PYTHONPATH; requests, click and tqdm need not be installed")
    return ConversionError(
        f"unpickling needs the Python module '{name}', which is not importable. A checkpoint pickles classes of the "
        "code that wrote it: pass that checkout with --edm DIR or put it on PYTHONPATH (PYTHONPATH=/path/to/edm)")


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


def images_from_file_name(path, override, notes):
    """EDM names its files by thousands of images seen: network-snapshot-200000.pkl = 200,000 kimg. The
    official edm-*.pkl carry no count: 0, with a note."""
    if override is not None:
        return override
    match = re.search(r"-(\d+)\.(pkl|pt)$", path.name)
    if not match:
        notes.append(f"the file name '{path.name}' carries no kimg count (like network-snapshot-200000.pkl): "
                     "images_seen 0 (--images-seen N sets it; it only matters for EMA ramps when training on)")
        return 0
    return int(match.group(1)) * 1000


def edm_unet(precond, what):
    """The SongUNet inside an EDMPrecond-like module (its `.model`)."""
    unet = getattr(precond, "model", None)
    if not isinstance(unet, torch.nn.Module):
        raise ConversionError(f"{what} is a {type(precond).__name__} without a torch.nn.Module `.model` "
                              "(expected EDM's preconditioning wrapper around the SongUNet)")
    return unet


# EDM's SongUNet constructor defaults (training/networks.py), for keys a pickle did not record.
SONG_UNET_DEFAULTS = {"model_channels": 128, "channel_mult": [1, 2, 2, 2], "channel_mult_emb": 4, "num_blocks": 4,
                      "attn_resolutions": [16], "dropout": 0.10, "label_dropout": 0, "augment_dim": 0,
                      "embedding_type": "positional", "channel_mult_noise": 1, "encoder_type": "standard",
                      "decoder_type": "standard", "resample_filter": [1, 1]}
# The two SongUNet variants retrain builds (model.arch), as EDM's train.py --arch sets them.
SONG_UNET_PRESETS = {
    "ddpmpp": {"embedding_type": "positional", "channel_mult_noise": 1, "encoder_type": "standard",
               "decoder_type": "standard", "resample_filter": [1, 1], "channel_mult_emb": 4},
    "ncsnpp": {"embedding_type": "fourier", "channel_mult_noise": 2, "encoder_type": "residual",
               "decoder_type": "standard", "resample_filter": [1, 3, 3, 1], "channel_mult_emb": 4},
}
# generate.py's defaults: edm_sampler(num_steps=18, sigma_min=0.002, sigma_max=80, rho=7), clamped to the
# network's supported range.
EDM_SAMPLER = {"steps": 18, "sigma_min": 0.002, "sigma_max": 80.0, "rho": 7.0}
# ddpm-torch's configs/cifar10.json, for a checkpoint converted without --ddpm-config.
DDPM_TORCH_CIFAR10 = {"diffusion": {"timesteps": 1000, "beta_start": 0.0001, "beta_end": 0.02, "beta_schedule": "linear",
                                    "model_mean_type": "eps", "model_var_type": "fixed-large"},
                      "model": {"drop_rate": 0.1}}


def recorded_kwargs(module):
    """The constructor arguments EDM's persistence decorator records (obj._init_kwargs), or None."""
    kwargs = getattr(module, "__dict__", {}).get("_init_kwargs")
    return dict(kwargs) if isinstance(kwargs, dict) else None


def song_unet_shape(weights, resolution):
    """model.* keys that shape a SongUNet's weights, read from its state dict: channels (enc.RxR_conv), the
    per-level multipliers and blocks (enc.rxr_blockI.conv1), attention resolutions (enc.rxr_blockI.qkv) and
    augment_dim (map_augment)."""
    first = weights.get(f"enc.{resolution}x{resolution}_conv.weight")
    if first is None:
        raise ConversionError(f"the SongUNet has no enc.{resolution}x{resolution}_conv.weight; is img_resolution "
                              f"{resolution} right?")
    channels = int(first.shape[0])
    widths, attention = {}, set()
    for name, tensor in weights.items():
        match = re.fullmatch(r"enc\.(\d+)x\1_block(\d+)\.(conv1\.weight|qkv\.weight)", name)
        if not match:
            continue
        res, index = int(match.group(1)), int(match.group(2))
        if match.group(3) == "qkv.weight":
            attention.add(res)
        else:
            widths.setdefault(res, {})[index] = int(tensor.shape[0])
    levels = sorted(widths, reverse=True)
    if not levels or levels != [resolution >> level for level in range(len(levels))]:
        raise ConversionError(f"the SongUNet's encoder blocks are at resolutions {levels}; expected {resolution}, "
                              f"{resolution // 2}, ...")
    mult = []
    for res in levels:
        width = set(widths[res].values())
        if len(width) != 1 or next(iter(width)) % channels:
            raise ConversionError(f"the SongUNet's {res}x{res} blocks have widths {sorted(width)}; expected one "
                                  f"multiple of {channels}")
        mult.append(next(iter(width)) // channels)
    augment = weights.get("map_augment.weight")
    return {"channels": channels, "channel_mult": mult, "num_blocks": len(widths[levels[0]]),
            "attn_resolutions": sorted(attention, reverse=True),
            "augment_dim": 0 if augment is None else int(augment.shape[1])}


def song_unet_arch(unet, kwargs, args):
    """ddpmpp or ncsnpp: --arch; else the preset the recorded kwargs match; else (no kwargs) ncsnpp when the
    noise embedding is a FourierEmbedding (it has the buffer map_noise.freqs), ddpmpp otherwise."""
    if args.arch is not None:
        return args.arch
    if type(unet).__name__ != "SongUNet":
        raise ConversionError(f"the network is a {type(unet).__name__}; retrain has EDM's SongUNet (ddpmpp, "
                              "ncsnpp) only; pass --arch to convert it anyway")
    if kwargs is None:
        return "ncsnpp" if "map_noise.freqs" in unet.state_dict() else "ddpmpp"
    settings = {**SONG_UNET_DEFAULTS, **kwargs}
    for arch, preset in SONG_UNET_PRESETS.items():
        if all(list(settings[key]) == value if isinstance(value, list) else settings[key] == value
               for key, value in preset.items()):
            return arch
    found = ", ".join(f"{key}={settings[key]!r}" for key in SONG_UNET_PRESETS["ddpmpp"])
    raise ConversionError(f"the SongUNet was built with {found}, which is neither retrain's ddpmpp nor its ncsnpp "
                          "(EDM's --arch presets); pass --arch to convert the weights anyway")


def song_unet_model(unet, precond, resolution, notes):
    """network.json's "model": the shape from the weights, checked against the recorded constructor
    arguments (the SongUNet's own, else the wrapper's), dropout and label_dropout from those arguments."""
    shape = song_unet_shape(unet.state_dict(), resolution)
    kwargs = recorded_kwargs(unet) or recorded_kwargs(precond)
    if kwargs is None:
        notes.append(f"the network records no constructor arguments: dropout {SONG_UNET_DEFAULTS['dropout']} and "
                     "label_dropout 0 are EDM's defaults (they matter for training only)")
        kwargs = {}
    settings = {**SONG_UNET_DEFAULTS, **kwargs}
    if kwargs:
        recorded = {"channels": settings["model_channels"], "channel_mult": list(settings["channel_mult"]),
                    "num_blocks": settings["num_blocks"], "augment_dim": settings["augment_dim"],
                    "attn_resolutions": sorted((r for r in settings["attn_resolutions"]
                                                if any(resolution >> level == r for level in range(len(shape["channel_mult"])))),
                                               reverse=True)}
        for key, value in recorded.items():
            if value != shape[key]:
                raise ConversionError(f"the network's recorded arguments say {key} {value}, its weights {shape[key]}")
    return {**shape, "dropout": float(settings["dropout"]), "label_dropout": float(settings["label_dropout"])}


def edm_network(precond, unet, args, notes):
    """network.json of an EDMPrecond-like wrapper: its img_channels, img_resolution and label_dim, the arch
    (song_unet_arch) and the model.* keys (song_unet_model)."""
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
    arch = song_unet_arch(unet, recorded_kwargs(unet) or recorded_kwargs(precond), args)
    model = song_unet_model(unet, precond, shape["img_resolution"], notes)
    return {"arch": arch, "sample_shape": [shape["img_channels"], shape["img_resolution"], shape["img_resolution"]],
            "num_classes": shape["label_dim"], "model": model}


def edm_method(precond, loss_fn, notes):
    """config.yaml's method: block for EDM's EDMPrecond or VPPrecond (the formulations retrain has), with
    generate.py's sampler settings and its per-seed noise; None (and a note) for other wrappers."""
    kind = type(precond).__name__
    edm = {}
    if kind == "EDMPrecond":
        edm["preconditioning"] = "edm"
        edm["sigma_data"] = float(getattr(precond, "sigma_data", 0.5))
        if loss_fn is not None and type(loss_fn).__name__ == "EDMLoss":
            edm["p_mean"] = float(getattr(loss_fn, "P_mean", -1.2))
            edm["p_std"] = float(getattr(loss_fn, "P_std", 1.2))
    elif kind == "VPPrecond":
        edm["preconditioning"] = "vp"
        for key, attribute in (("vp_beta_d", "beta_d"), ("vp_beta_min", "beta_min"), ("vp_m", "M"),
                               ("vp_epsilon_t", "epsilon_t")):
            edm[key] = float(getattr(precond, attribute))
    else:
        notes.append(f"no config.yaml: the network's preconditioning is {kind}; retrain has EDM's EDMPrecond and "
                     "VPPrecond (method.edm.preconditioning: edm | vp), so pass --config when sampling it")
        return None
    # edm_sampler clamps its range to the network's: sigma_min = max(0.002, net.sigma_min), sigma_max = min(80, ...)
    # (retrain clamps a vp range itself, as generate.py does).
    net_min, net_max = float(getattr(precond, "sigma_min", 0)), float(getattr(precond, "sigma_max", math.inf))
    edm["sigma_min"] = EDM_SAMPLER["sigma_min"] if kind == "VPPrecond" else max(EDM_SAMPLER["sigma_min"], net_min)
    edm["sigma_max"] = EDM_SAMPLER["sigma_max"] if kind == "VPPrecond" else min(EDM_SAMPLER["sigma_max"], net_max)
    edm["rho"] = EDM_SAMPLER["rho"]
    if getattr(precond, "use_fp16", False):
        notes.append("the network ran its U-Net in float16 on a GPU in EDM (use_fp16); retrain samples in float32, so "
                     "GPU images can differ from generate.py's in the last bits (on a CPU EDM uses float32 too)")
    return {"type": "edm", "sampler": "heun", "steps": EDM_SAMPLER["steps"], "noise": "torch", "edm": edm}


def ddpm_torch_settings(args, notes):
    """ddpm-torch's config (--ddpm-config, its configs/<dataset>.json), else its cifar10.json values."""
    if args.ddpm_config is None:
        notes.append("no --ddpm-config: method.ddpm.* and dropout are ddpm-torch's configs/cifar10.json values")
        return DDPM_TORCH_CIFAR10
    try:
        config = json.loads(args.ddpm_config.read_text())
    except (OSError, ValueError) as e:
        raise ConversionError(f"--ddpm-config {args.ddpm_config}: not a readable JSON file ({e})") from e
    if not isinstance(config, dict) or not isinstance(config.get("diffusion"), dict):
        raise ConversionError(f"--ddpm-config {args.ddpm_config}: expected ddpm-torch's config with a 'diffusion' "
                              "section (configs/cifar10.json)")
    return {"diffusion": {**DDPM_TORCH_CIFAR10["diffusion"], **config["diffusion"]},
            "model": config.get("model") or config.get("denoise") or {}}


def ddpm_unet_shape(weights, resolution):
    """model.* keys of a ddpm-torch UNet from its state dict: channels (in_conv), per-level multipliers and
    residual blocks (downsamples.level_i.j[.0].conv1), attention (downsamples.level_i.j.1.project_in)."""
    first = weights.get("in_conv.weight")
    if first is None:
        raise ConversionError("the model has no in_conv.weight; expected ddpm-torch's UNet")
    channels = int(first.shape[0])
    widths, attention = {}, set()
    for name, tensor in weights.items():
        match = re.fullmatch(r"downsamples\.level_(\d+)\.(\d+)\.(?:0\.)?conv1\.weight", name)
        if match:
            widths.setdefault(int(match.group(1)), {})[int(match.group(2))] = int(tensor.shape[0])
        match = re.fullmatch(r"downsamples\.level_(\d+)\.\d+\.1\.project_in\.weight", name)
        if match:
            attention.add(int(match.group(1)))
    levels = sorted(widths)
    if levels != list(range(len(levels))) or not levels:
        raise ConversionError(f"the UNet's downsampling levels are {levels}; expected 0, 1, ...")
    mult = []
    for level in levels:
        width = set(widths[level].values())
        if len(width) != 1 or next(iter(width)) % channels:
            raise ConversionError(f"the UNet's level {level} has widths {sorted(width)}; expected one multiple of "
                                  f"{channels}")
        mult.append(next(iter(width)) // channels)
    return {"channels": channels, "channel_mult": mult, "num_blocks": len(widths[0]),
            "attn_resolutions": [resolution >> level for level in levels if level in attention], "augment_dim": 0,
            "image_channels": int(first.shape[1])}


def ddpm_torch_network(model, settings, args):
    """network.json of a ddpm-torch checkpoint: the shape from the weights and the flags (the checkpoint does
    not record its resolution: --resolution, default 32), checked against --ddpm-config's model section."""
    resolution = 32 if args.resolution is None else args.resolution
    if resolution < 1:
        raise ConversionError(f"--resolution {resolution} must be positive")
    shape = ddpm_unet_shape(model, resolution)
    channels = shape.pop("image_channels")
    if args.channels is not None and args.channels != channels:
        raise ConversionError(f"--channels {args.channels}, but the UNet's in_conv takes {channels} channels")
    given = settings["model"]
    for key, ours, value in (("hid_channels", "channels", shape["channels"]),
                             ("ch_multipliers", "channel_mult", shape["channel_mult"]),
                             ("num_res_blocks", "num_blocks", shape["num_blocks"])):
        if key in given and given[key] != value:
            raise ConversionError(f"--ddpm-config says {key} {given[key]}, the weights {value}")
    if "apply_attn" in given:
        levels = [resolution >> level for level, on in enumerate(given["apply_attn"]) if on]
        if levels != shape["attn_resolutions"]:
            raise ConversionError(f"--ddpm-config's apply_attn gives attention at {levels}, the weights at "
                                  f"{shape['attn_resolutions']}")
    model_keys = {**shape, "dropout": float(given.get("drop_rate", 0.1)), "label_dropout": 0.0}
    return {"arch": args.arch or "ddpm_unet", "sample_shape": [channels, resolution, resolution], "num_classes": 0,
            "model": model_keys}


def ddpm_torch_method(settings):
    """config.yaml's method: block of a ddpm-torch checkpoint: its diffusion settings, sampled as its
    generate.py does (ancestral, all T steps, predicted x0 clipped to [-1, 1])."""
    diffusion = settings["diffusion"]
    if diffusion["beta_schedule"] != "linear":
        raise ConversionError(f"beta_schedule '{diffusion['beta_schedule']}': retrain's DDPM has the linear schedule")
    if diffusion["model_mean_type"] != "eps":
        raise ConversionError(f"model_mean_type '{diffusion['model_mean_type']}': retrain's DDPM predicts eps")
    variance = {"fixed-large": "fixed_large", "fixed-small": "fixed_small"}.get(diffusion["model_var_type"])
    if variance is None:
        raise ConversionError(f"model_var_type '{diffusion['model_var_type']}': retrain's DDPM has fixed-large and "
                              "fixed-small")
    return {"type": "ddpm", "sampler": "ancestral",
            "ddpm": {"timesteps": int(diffusion["timesteps"]), "beta_start": float(diffusion["beta_start"]),
                     "beta_end": float(diffusion["beta_end"]), "variance": variance, "clip_x0": 1.0}}


def yaml_scalar(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(yaml_scalar(v) for v in value) + "]"
    return json.dumps(str(value))  # a JSON string is a double-quoted YAML scalar


def yaml_block(section, entries, indent=""):
    lines = [f"{indent}{section}:"]
    for key, value in entries.items():
        if isinstance(value, dict):
            lines += yaml_block(key, value, indent + "  ")
        else:
            lines.append(f"{indent}  {key}: {yaml_scalar(value)}")
    return lines


def data_format(path, default):
    name = pathlib.PurePath(path).name
    if name.endswith(".zip"):
        return "edm"
    if name == "cifar-10-batches-bin":
        return "cifar10"
    return default


def config_yaml(converted, method, source, kind, args, dataset_kwargs):
    """The config a converted checkpoint carries: its model.* and method.*, the data it came from (EDM's
    dataset_kwargs, or --data), and eval settings from the flags."""
    network = converted.network
    channels, resolution, _ = network["sample_shape"]
    recorded = (dataset_kwargs or {}).get("path")
    if args.data is not None:
        path = str(args.data)
    elif recorded:
        path = str(recorded)
    elif network["arch"] == "ddpm_unet" and network["sample_shape"] == [3, 32, 32]:
        path = "data/cifar-10-batches-bin"
    else:
        path = f"data/dataset-{resolution}x{resolution}.zip"
    data = {"source": "image", "format": data_format(path, "edm" if kind != "ddpm-torch" else "folder"), "path": path,
            "resolution": resolution, "n": 0, "use_labels": network["num_classes"] > 0}
    if dataset_kwargs and "xflip" in dataset_kwargs:
        data["xflip"] = bool(dataset_kwargs["xflip"])
    model = {"arch": network["arch"], **{key: network["model"][key] for key in
                                         ("channels", "channel_mult", "num_blocks", "attn_resolutions", "dropout")}}
    if network["arch"] != "ddpm_unet":
        model["label_dropout"] = network["model"]["label_dropout"]
        model["augment_dim"] = network["model"]["augment_dim"]
    evaluation = {"num_samples": 50000}
    if args.extractor is not None:
        evaluation["extractor"] = str(args.extractor)
    if args.reference_stats is not None:
        evaluation["reference_stats"] = str(args.reference_stats)
    lines = [f"# The config of this checkpoint, written by scripts/convert_checkpoint.py from {source.name} ({kind}).",
             "# model.* and method.* come from the network (its weights and the constructor arguments EDM records);",
             "# `retrain sample DIR`, `retrain metrics A DIR` and `retrain eval DIR` use them when no --config is given.",
             f"# data.path is {'--data' if args.data is not None else 'what the checkpoint recorded' if recorded else 'a placeholder'}: "
             "evaluating against real images or training needs it (--set data.path=...).",
             f"name: {json.dumps(args.out.resolve().name)}", "learner: {type: diffusion}"]
    lines += yaml_block("data", data) + yaml_block("model", model) + yaml_block("method", method)
    lines += yaml_block("eval", evaluation)
    return "\n".join(lines) + "\n"


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


def edm_config(converted, precond, data, source, kind, args):
    method = edm_method(precond, data.get("loss_fn") if isinstance(data, dict) else None, converted.notes)
    if method is not None:
        dataset_kwargs = data.get("dataset_kwargs") if isinstance(data, dict) else None
        converted.config = config_yaml(converted, method, source, kind, args,
                                       dataset_kwargs if isinstance(dataset_kwargs, dict) else None)
    return converted


def convert_edm_pkl(path, data, args):
    precond = require_key(data, "ema", "an EDM network snapshot")
    unet = edm_unet(precond, "the snapshot's 'ema'")
    weights = unet.state_dict()
    names = [name for name, _ in unet.named_parameters()]
    notes = ["the snapshot holds only the EMA weights: model and ema both get them",
             "no optimizer state in a snapshot: optimizer.safetensors is a fresh Adam (zero moments, step 0)"]
    converted = Converted(weights, weights, names, fresh_adam_state(weights, names),
                          images_from_file_name(path, args.images_seen, notes), 0, edm_network(precond, unet, args, notes),
                          notes)
    return edm_config(converted, precond, data, path, "edm-pkl", args)


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
    converted = Converted(model, ema, names, optimizer, images_from_file_name(path, args.images_seen, notes),
                          optimizer_steps(optimizer), edm_network(precond, unet, args, notes), notes)
    return edm_config(converted, precond, data, path, "edm-state", args)


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
    settings = ddpm_torch_settings(args, notes)
    converted = Converted(model, ema, names, optimizer, images, step, ddpm_torch_network(model, settings, args), notes)
    if converted.network["arch"] == "ddpm_unet":
        converted.config = config_yaml(converted, ddpm_torch_method(settings), path, "ddpm-torch", args, None)
    return converted


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
    config = out / "config.yaml"
    if converted.config is not None:
        config.write_text(converted.config)
    elif config.exists():
        config.unlink()  # an earlier conversion's (--force)
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
    model = network["model"]
    print(f"  model: channels {model['channels']}, channel_mult {model['channel_mult']}, num_blocks {model['num_blocks']}, "
          f"attn_resolutions {model['attn_resolutions']}, dropout {model['dropout']}, augment_dim {model['augment_dim']}")
    if converted.config is not None:
        print(f"  config: {out / 'config.yaml'} (retrain sample / metrics / eval use it when no --config is given)")
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
    parser.add_argument("--edm", type=pathlib.Path, help="EDM pickles: the NVlabs/edm checkout whose torch_utils and "
                        "dnnlib unpickle them (default: whatever is on PYTHONPATH)")
    parser.add_argument("--ddpm-config", type=pathlib.Path, help="ddpm-torch only: its config JSON (configs/cifar10.json) "
                        "for method.ddpm.* and dropout (default: cifar10.json's values)")
    parser.add_argument("--data", help="config.yaml's data.path: the network's data set (default: the path an EDM "
                        "snapshot recorded, else a placeholder)")
    parser.add_argument("--extractor", help="config.yaml's eval.extractor (e.g. inception-2015-12-05.pt)")
    parser.add_argument("--reference-stats", help="config.yaml's eval.reference_stats (e.g. cifar10-32x32.npz); needs "
                        "--extractor")
    args = parser.parse_args(argv)
    if args.reference_stats is not None and args.extractor is None:
        parser.error("--reference-stats needs --extractor (the network whose features the statistics summarise)")
    return args


def main(argv):
    args = parse_args(argv)
    source = args.checkpoint
    try:
        if not source.is_file():
            raise ConversionError("no such file")
        refuse_existing_checkpoint(args.out, args.force)  # before the (possibly long) unpickling
        prepare_edm_imports(args.edm)
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
