#!/usr/bin/env python3
# Makes the TorchScript feature network that `eval.extractor` and `retrain metrics --extractor` load
# (src/features/torchscript_extractor.cpp): forward(img, return_features: bool) takes uint8 images
# [N, 3, H, W] (any H, W; grayscale [N, 1, H, W] is repeated to RGB) and returns the 2048 pool features of
# the FID Inception-v3 (the TensorFlow graph inception-2015-12-05) as float32 [N, 2048]; without
# return_features, the 1008 class probabilities. From any of the files users download (none can be
# downloaded here; docs/metrics.md gives the addresses):
#   inception-2015-12-05.pkl                    NVlabs/edm's and StyleGAN3's pickle (fid.py downloads it)
#   inception-2015-12-05.pt                     StyleGAN2-ADA's TorchScript
#   pt_inception-2015-12-05-6726825d.pth        pytorch-fid's state dict of the same weights
# The network below is written from the published structure of Inception-v3 (Szegedy et al. 2016) in the
# variant the TensorFlow FID graph has (average pools that do not count padding, a max pool in the last
# block, 1008 classes), with pytorch-fid's state-dict names, so its .pth loads by name.
#
#   .venv/bin/python scripts/make_inception.py SOURCE --out inception-2015-12-05.pt [--edm DIR]
#                                              [--preprocess tf|pytorch-fid] [--force]
#   .venv/bin/python scripts/make_inception.py --random --out random-inception.pt [--seed N]
import argparse
import json
import os
import pathlib
import sys
from typing import Tuple

import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from convert_checkpoint import ConversionError, prepare_edm_imports  # noqa: E402
from convert_checkpoint import unpickle as unpickle_file  # noqa: E402

FEATURES = 2048
CLASSES = 1008
SIZE = 299  # the network's input resolution
KINDS = ("pkl", "torchscript", "pytorch-fid")
CHECK_SIZES = (32, 64)  # image sizes every written network is run on before it is kept


class Conv(torch.nn.Module):
    """Convolution without bias, batch normalisation (epsilon 0.001, as the TensorFlow graph), ReLU."""

    def __init__(self, cin, cout, kernel, stride=1, padding=0):
        super().__init__()
        self.conv = torch.nn.Conv2d(cin, cout, kernel, stride=stride, padding=padding, bias=False)
        self.bn = torch.nn.BatchNorm2d(cout, eps=0.001)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


def avg_pool(x):
    """3x3 average, stride 1, padded: TensorFlow averages over the pixels inside the image only."""
    return F.avg_pool2d(x, kernel_size=3, stride=1, padding=1, count_include_pad=False)


class MixedA(torch.nn.Module):
    """35x35 block: 1x1 | 1x1 -> 5x5 | 1x1 -> 3x3 -> 3x3 | avg pool -> 1x1 (64 + 64 + 96 + pool_features)."""

    def __init__(self, cin, pool_features):
        super().__init__()
        self.branch1x1 = Conv(cin, 64, 1)
        self.branch5x5_1 = Conv(cin, 48, 1)
        self.branch5x5_2 = Conv(48, 64, 5, padding=2)
        self.branch3x3dbl_1 = Conv(cin, 64, 1)
        self.branch3x3dbl_2 = Conv(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = Conv(96, 96, 3, padding=1)
        self.branch_pool = Conv(cin, pool_features, 1)

    def forward(self, x):
        five = self.branch5x5_2(self.branch5x5_1(x))
        three = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return torch.cat([self.branch1x1(x), five, three, self.branch_pool(avg_pool(x))], 1)


class ReduceB(torch.nn.Module):
    """35 -> 17: 3x3 stride 2 | 1x1 -> 3x3 -> 3x3 stride 2 | 3x3 max pool stride 2 (384 + 96 + cin)."""

    def __init__(self, cin):
        super().__init__()
        self.branch3x3 = Conv(cin, 384, 3, stride=2)
        self.branch3x3dbl_1 = Conv(cin, 64, 1)
        self.branch3x3dbl_2 = Conv(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = Conv(96, 96, 3, stride=2)

    def forward(self, x):
        three = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        return torch.cat([self.branch3x3(x), three, F.max_pool2d(x, kernel_size=3, stride=2)], 1)


class MixedC(torch.nn.Module):
    """17x17 block with factorised 7x7 convolutions (1x7 and 7x1), each branch ending in 192 channels."""

    def __init__(self, cin, c7):
        super().__init__()
        self.branch1x1 = Conv(cin, 192, 1)
        self.branch7x7_1 = Conv(cin, c7, 1)
        self.branch7x7_2 = Conv(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7_3 = Conv(c7, 192, (7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = Conv(cin, c7, 1)
        self.branch7x7dbl_2 = Conv(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = Conv(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = Conv(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = Conv(c7, 192, (1, 7), padding=(0, 3))
        self.branch_pool = Conv(cin, 192, 1)

    def forward(self, x):
        seven = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        double = self.branch7x7dbl_1(x)
        double = self.branch7x7dbl_3(self.branch7x7dbl_2(double))
        double = self.branch7x7dbl_5(self.branch7x7dbl_4(double))
        return torch.cat([self.branch1x1(x), seven, double, self.branch_pool(avg_pool(x))], 1)


class ReduceD(torch.nn.Module):
    """17 -> 8: 1x1 -> 3x3 stride 2 | 1x1 -> 1x7 -> 7x1 -> 3x3 stride 2 | max pool (320 + 192 + cin)."""

    def __init__(self, cin):
        super().__init__()
        self.branch3x3_1 = Conv(cin, 192, 1)
        self.branch3x3_2 = Conv(192, 320, 3, stride=2)
        self.branch7x7x3_1 = Conv(cin, 192, 1)
        self.branch7x7x3_2 = Conv(192, 192, (1, 7), padding=(0, 3))
        self.branch7x7x3_3 = Conv(192, 192, (7, 1), padding=(3, 0))
        self.branch7x7x3_4 = Conv(192, 192, 3, stride=2)

    def forward(self, x):
        three = self.branch3x3_2(self.branch3x3_1(x))
        seven = self.branch7x7x3_4(self.branch7x7x3_3(self.branch7x7x3_2(self.branch7x7x3_1(x))))
        return torch.cat([three, seven, F.max_pool2d(x, kernel_size=3, stride=2)], 1)


class MixedE(torch.nn.Module):
    """8x8 block whose 3x3 branches split into parallel 1x3 and 3x1 (320 + 768 + 768 + 192 = 2048). The
    graph's last block pools with a 3x3 max pool where the first averages."""

    def __init__(self, cin, max_pool: bool):
        super().__init__()
        self.max_pool = max_pool
        self.branch1x1 = Conv(cin, 320, 1)
        self.branch3x3_1 = Conv(cin, 384, 1)
        self.branch3x3_2a = Conv(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3_2b = Conv(384, 384, (3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = Conv(cin, 448, 1)
        self.branch3x3dbl_2 = Conv(448, 384, 3, padding=1)
        self.branch3x3dbl_3a = Conv(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = Conv(384, 384, (3, 1), padding=(1, 0))
        self.branch_pool = Conv(cin, 192, 1)

    def forward(self, x):
        three = self.branch3x3_1(x)
        three = torch.cat([self.branch3x3_2a(three), self.branch3x3_2b(three)], 1)
        double = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        double = torch.cat([self.branch3x3dbl_3a(double), self.branch3x3dbl_3b(double)], 1)
        pooled = F.max_pool2d(x, kernel_size=3, stride=1, padding=1) if self.max_pool else avg_pool(x)
        return torch.cat([self.branch1x1(x), three, double, self.branch_pool(pooled)], 1)


class InceptionV3(torch.nn.Module):
    """The FID Inception-v3 on inputs scaled to [-1, 1], 299x299: features() gives the 2048 averages of the
    last block, fc the 1008 class logits. State-dict names as pytorch-fid's (torchvision's Inception3)."""

    def __init__(self):
        super().__init__()
        self.Conv2d_1a_3x3 = Conv(3, 32, 3, stride=2)
        self.Conv2d_2a_3x3 = Conv(32, 32, 3)
        self.Conv2d_2b_3x3 = Conv(32, 64, 3, padding=1)
        self.Conv2d_3b_1x1 = Conv(64, 80, 1)
        self.Conv2d_4a_3x3 = Conv(80, 192, 3)
        self.Mixed_5b = MixedA(192, 32)
        self.Mixed_5c = MixedA(256, 64)
        self.Mixed_5d = MixedA(288, 64)
        self.Mixed_6a = ReduceB(288)
        self.Mixed_6b = MixedC(768, 128)
        self.Mixed_6c = MixedC(768, 160)
        self.Mixed_6d = MixedC(768, 160)
        self.Mixed_6e = MixedC(768, 192)
        self.Mixed_7a = ReduceD(768)
        self.Mixed_7b = MixedE(1280, max_pool=False)
        self.Mixed_7c = MixedE(2048, max_pool=True)
        self.fc = torch.nn.Linear(FEATURES, CLASSES)

    def features(self, x):
        x = self.Conv2d_2b_3x3(self.Conv2d_2a_3x3(self.Conv2d_1a_3x3(x)))
        x = F.max_pool2d(x, kernel_size=3, stride=2)
        x = self.Conv2d_4a_3x3(self.Conv2d_3b_1x1(x))
        x = F.max_pool2d(x, kernel_size=3, stride=2)
        x = self.Mixed_5d(self.Mixed_5c(self.Mixed_5b(x)))
        x = self.Mixed_6e(self.Mixed_6d(self.Mixed_6c(self.Mixed_6b(self.Mixed_6a(x)))))
        x = self.Mixed_7c(self.Mixed_7b(self.Mixed_7a(x)))
        return torch.mean(x, dim=[2, 3])

    def forward(self, x):
        return self.fc(self.features(x))


def resize_taps(size_in: int, size_out: int, device: torch.device) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """TensorFlow 1's resize_bilinear taps along one axis (align_corners=False, no half-pixel centres):
    output pixel i samples the input at p = i * (in / out), between floor(p) and floor(p) + 1 (clamped to the
    last pixel), weighted by p - floor(p), in float32."""
    position = torch.arange(size_out, dtype=torch.float32, device=device) * (float(size_in) / float(size_out))
    low = position.floor()
    low_index = low.to(torch.int64)
    return low_index, torch.clamp(low_index + 1, max=size_in - 1), position - low


def tf_resize_bilinear(x: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """The bilinear resize the TensorFlow FID graph applies to its input (resize_taps along both axes)."""
    y0, y1, wy = resize_taps(x.shape[2], height, x.device)
    x0, x1, wx = resize_taps(x.shape[3], width, x.device)
    rows = x.index_select(2, y0) * (1 - wy).view(1, 1, -1, 1) + x.index_select(2, y1) * wy.view(1, 1, -1, 1)
    return rows.index_select(3, x0) * (1 - wx).view(1, 1, 1, -1) + rows.index_select(3, x1) * wx.view(1, 1, 1, -1)


class FidInception(torch.nn.Module):
    """What eval.extractor loads: uint8 images in, 2048 features (return_features) or 1008 probabilities out.
    preprocess 'tf' resizes and scales as the TensorFlow graph does, as EDM's / StyleGAN's detectors (their
    reference statistics, e.g. EDM's cifar10-32x32.npz); 'pytorch-fid' as pytorch-fid does (torch bilinear
    interpolation, x / 255 * 2 - 1), for statistics pytorch-fid wrote."""

    def __init__(self, net: InceptionV3, preprocess: str = "tf"):
        super().__init__()
        if preprocess not in ("tf", "pytorch-fid"):
            raise ValueError(f"preprocess '{preprocess}': expected tf or pytorch-fid")
        self.tf = preprocess == "tf"
        self.size = SIZE
        self.net = net

    def forward(self, img: torch.Tensor, return_features: bool = False) -> torch.Tensor:
        x = img.to(torch.float32)
        if x.shape[1] == 1:
            x = x.repeat(1, 3, 1, 1)
        if self.tf:
            x = (tf_resize_bilinear(x, self.size, self.size) - 128) / 128
        else:
            x = F.interpolate(x / 255, size=(self.size, self.size), mode="bilinear", align_corners=False) * 2 - 1
        features = self.net.features(x)
        if return_features:
            return features
        return F.softmax(self.net.fc(features), dim=1)


def random_inception(seed):
    """Random weights that keep the activations' scale through the depth (He-normal convolutions, batch-norm
    statistics near 0 and 1), so every layer matters to the features."""
    torch.manual_seed(seed)
    net = InceptionV3()
    with torch.no_grad():
        for layer in conv_layers(net):
            torch.nn.init.kaiming_normal_(layer.conv.weight, nonlinearity="relu")
            layer.bn.running_mean.normal_(0.0, 0.1)
            layer.bn.running_var.uniform_(0.5, 2.0)
            layer.bn.weight.uniform_(0.8, 1.2)
            layer.bn.bias.normal_(0.0, 0.1)
    return net.eval()


def conv_layers(net):
    """The Conv blocks of the network in the order their computations appear in the graph."""
    return [module for module in net.modules() if isinstance(module, Conv)]


def load_pytorch_fid(path):
    """pytorch-fid's pt_inception-2015-12-05-*.pth: a state dict under our names (num_batches_tracked,
    which old files lack, is not needed)."""
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - any unreadable file
        raise ConversionError(f"not a readable torch state dict ({type(e).__name__}: {e})") from e
    if not isinstance(state, dict):
        raise ConversionError(f"expected pytorch-fid's state dict, found a {type(state).__name__}")
    net = InceptionV3()
    wanted = {k: v for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")}
    given = {k: v for k, v in state.items() if not k.endswith("num_batches_tracked")}
    missing, unexpected = sorted(set(wanted) - set(given)), sorted(set(given) - set(wanted))
    if missing or unexpected:
        raise ConversionError(f"not pytorch-fid's FID Inception state dict: {len(missing)} tensors missing "
                              f"(e.g. {missing[:3]}), {len(unexpected)} unexpected (e.g. {unexpected[:3]})")
    for name, tensor in given.items():
        if tensor.shape != wanted[name].shape:
            raise ConversionError(f"tensor '{name}' has shape {tuple(tensor.shape)}, the FID Inception's "
                                  f"{tuple(wanted[name].shape)}")
    net.load_state_dict(given, strict=False)
    return net


def transplant(source, what):
    """Our network holding the weights of `source`, an Inception of the same graph under other names (EDM's
    unpickled detector): its tensors are taken in their registration order, each convolution by shape and
    its batch-normalisation tensors by name (beta/bias, gamma/weight, mean, var; gamma 1 when absent), then
    the 1008-way classifier when present. Checked afterwards by running both (verify)."""
    tensors = [(name, tensor) for name, tensor in source.state_dict().items()
               if torch.is_tensor(tensor) and tensor.is_floating_point()]
    net = InceptionV3()
    position = 0

    def next_tensor():
        nonlocal position
        if position >= len(tensors):
            raise ConversionError(f"{what} has fewer tensors than the FID Inception ({len(tensors)})")
        position += 1
        return tensors[position - 1]

    roles = (("running_mean", ("mean",)), ("running_var", ("var",)), ("bias", ("beta", "bias")),
             ("weight", ("gamma", "weight", "scale")))
    with torch.no_grad():
        for index, layer in enumerate(conv_layers(net)):
            name, weight = next_tensor()
            if tuple(weight.shape) != tuple(layer.conv.weight.shape):
                raise ConversionError(f"{what}: tensor {position - 1} '{name}' has shape {tuple(weight.shape)}; "
                                      f"convolution {index} of the FID Inception has {tuple(layer.conv.weight.shape)}")
            layer.conv.weight.copy_(weight)
            found = {}
            while position < len(tensors) and tensors[position][1].dim() == 1 and \
                    tensors[position][1].numel() == layer.conv.out_channels:
                name, tensor = next_tensor()
                leaf = name.rsplit(".", 1)[-1].lower()
                role = next((r for r, words in roles if any(w in leaf for w in words)), None)
                if role is None or role in found:
                    raise ConversionError(f"{what}: cannot tell what '{name}' is (expected batch normalisation's "
                                          "beta/bias, gamma/weight, mean and var after each convolution)")
                found[role] = tensor
            for role in ("running_mean", "running_var"):
                if role not in found:
                    raise ConversionError(f"{what}: convolution {index} ('{tensors[position - 1][0]}') has no "
                                          f"batch-normalisation {role.split('_')[1]}")
            bn = layer.bn
            bn.running_mean.copy_(found["running_mean"])
            bn.running_var.copy_(found["running_var"])
            bn.bias.copy_(found.get("bias", torch.zeros_like(bn.bias)))
            bn.weight.copy_(found.get("weight", torch.ones_like(bn.weight)))
        rest = tensors[position:]
        if len(rest) >= 2 and tuple(rest[0][1].shape) == (CLASSES, FEATURES) and tuple(rest[1][1].shape) == (CLASSES,):
            net.fc.weight.copy_(rest[0][1])
            net.fc.bias.copy_(rest[1][1])
            rest = rest[2:]
        if rest:
            raise ConversionError(f"{what} has {len(rest)} tensors after the FID Inception's (first: '{rest[0][0]}')")
    return net


def check_images(seed=0):
    """A few uint8 RGB images of each CHECK_SIZES size, reproducibly random."""
    gen = torch.Generator().manual_seed(seed)
    return [torch.randint(0, 256, (2, 3, size, size), generator=gen, dtype=torch.uint8) for size in CHECK_SIZES]


def features_of(module, images):
    with torch.no_grad():
        out = module(images, return_features=True)
    if not torch.is_tensor(out) or tuple(out.shape) != (images.shape[0], FEATURES):
        shape = tuple(out.shape) if torch.is_tensor(out) else type(out).__name__
        raise ConversionError(f"the network returned {shape} for images {tuple(images.shape)}; expected "
                              f"[{images.shape[0]}, {FEATURES}] features")
    if not torch.isfinite(out).all():
        raise ConversionError("the network returned NaN or infinite features")
    return out.to(torch.float32)


def verify(ours, reference, tolerance):
    """Our network's features against the reference detector's on the check images: the largest difference
    relative to the features' scale must stay below `tolerance`."""
    worst = 0.0
    for images in check_images():
        mine, theirs = features_of(ours, images), features_of(reference, images)
        worst = max(worst, ((mine - theirs).abs().max() / theirs.abs().max().clamp_min(1e-12)).item())
    if worst > tolerance:
        raise ConversionError(f"the rebuilt network's features differ from the source's by {worst:.3g} (relative); "
                              f"more than {tolerance:g}: the source is not the FID Inception in the expected order")
    return worst


def unpickle(path, edm_dir):
    prepare_edm_imports(edm_dir)
    return unpickle_file(path)


def takes_return_features(module):
    try:
        return any(argument.name == "return_features" for argument in module.forward.schema.arguments)
    except AttributeError:
        return False


def detector_from(path, kind, args, notes):
    """(the module to save, the reference to verify it against or None)."""
    if kind == "pytorch-fid":
        notes.append(f"pytorch-fid weights, preprocessing '{args.preprocess}'")
        return FidInception(load_pytorch_fid(path), args.preprocess).eval(), None
    if kind == "torchscript":
        try:
            module = torch.jit.load(str(path), map_location="cpu")
        except Exception as e:  # noqa: BLE001
            raise ConversionError(f"not a loadable TorchScript file ({type(e).__name__}: {e})") from e
        if not takes_return_features(module):
            raise ConversionError("the TorchScript network's forward has no return_features argument; expected "
                                  "StyleGAN2-ADA's inception-2015-12-05.pt")
        notes.append("StyleGAN2-ADA's TorchScript, kept as it is (its own preprocessing)")
        return module.eval(), None
    detector = unpickle(path, args.edm)
    if isinstance(detector, dict):  # a pickle holding the network under a key
        modules = [v for v in detector.values() if isinstance(v, torch.nn.Module)]
        if len(modules) != 1:
            raise ConversionError(f"the pickle holds a dict with keys {sorted(detector)}; expected one network")
        detector = modules[0]
    if isinstance(detector, torch.jit.ScriptModule):
        notes.append("the pickle holds a TorchScript network, kept as it is")
        return detector.eval(), None
    if not isinstance(detector, torch.nn.Module):
        raise ConversionError(f"the pickle holds a {type(detector).__name__}; expected the Inception network")
    notes.append(f"weights of the pickled {type(detector).__name__} in our TorchScript network, preprocessing "
                 f"'{args.preprocess}', checked against the pickled network's own features")
    return FidInception(transplant(detector.eval(), "the pickled network"), args.preprocess).eval(), detector.eval()


def detect_kind(path):
    return {".pkl": "pkl", ".pt": "torchscript", ".pth": "pytorch-fid"}.get(path.suffix)


def save(module, out, info):
    scripted = module if isinstance(module, torch.jit.ScriptModule) else torch.jit.script(module)
    partial = out.with_name(out.name + ".partial")
    torch.jit.save(scripted, str(partial), _extra_files={"retrain_inception.json": json.dumps(info)})
    os.replace(partial, out)  # readers never see a half-written file


def parse_args(argv):
    parser = argparse.ArgumentParser(description="Makes the TorchScript FID Inception network that eval.extractor "
                                     "loads from EDM's .pkl, StyleGAN2-ADA's .pt or pytorch-fid's .pth.")
    parser.add_argument("source", nargs="?", type=pathlib.Path, help="the downloaded network file")
    parser.add_argument("--out", type=pathlib.Path, required=True, help="the TorchScript file to write")
    parser.add_argument("--kind", choices=KINDS, help="default: from the suffix (.pkl, .pt, .pth)")
    parser.add_argument("--edm", type=pathlib.Path, help=".pkl: the NVlabs/edm (or StyleGAN3) checkout whose "
                        "torch_utils and dnnlib unpickle it, when the pickle needs them")
    parser.add_argument("--preprocess", choices=("tf", "pytorch-fid"), default="tf",
                        help="resizing and scaling of networks we build (.pkl, .pth): tf (as EDM / StyleGAN, the "
                        "default: their reference statistics) or pytorch-fid (as pytorch-fid)")
    parser.add_argument("--tolerance", type=float, default=1e-4,
                        help=".pkl: largest relative feature difference to the pickled network (default %(default)g)")
    parser.add_argument("--random", action="store_true", help="no source: random weights of the same architecture "
                        "(for trying the pipeline; its FID means nothing)")
    parser.add_argument("--seed", type=int, default=0, help="--random: the weights' seed")
    parser.add_argument("--force", action="store_true", help="overwrite --out")
    args = parser.parse_args(argv)
    if (args.source is None) == (not args.random):
        parser.error("give the network file to convert, or --random")
    return args


def main(argv):
    args = parse_args(argv)
    what = args.source or "--random"
    notes = []
    try:
        if args.out.exists() and not args.force:
            raise ConversionError(f"'{args.out}' exists; pass --force to overwrite it")
        if args.random:
            module, reference, kind = FidInception(random_inception(args.seed), args.preprocess).eval(), None, "random"
            notes.append(f"random weights (seed {args.seed}): for trying the pipeline only")
        else:
            if not args.source.is_file():
                raise ConversionError("no such file")
            kind = args.kind or detect_kind(args.source)
            if kind is None:
                raise ConversionError("cannot tell the kind from the suffix; pass --kind pkl|torchscript|pytorch-fid")
            module, reference = detector_from(args.source, kind, args, notes)
        difference = verify(module, reference, args.tolerance) if reference is not None else None
        info = {"source": str(args.source) if args.source else "random", "kind": kind,
                "preprocess": args.preprocess if kind in ("pkl", "pytorch-fid", "random") else "the network's own",
                "features": FEATURES}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        save(module, args.out, info)
        reloaded = torch.jit.load(str(args.out), map_location="cpu")
        for images in check_images():
            features_of(reloaded, images)
    except ConversionError as e:
        print(f"make_inception: {what}: {e}", file=sys.stderr)
        return 1
    print(f"{kind}: {what} -> {args.out}")
    print(f"  forward(uint8 images [N, 3, H, W], return_features=True) -> float32 [N, {FEATURES}]; checked on "
          f"{', '.join(f'{s}x{s}' for s in CHECK_SIZES)} images")
    if difference is not None:
        print(f"  largest relative feature difference to the source network: {difference:.3g}")
    for note in notes:
        print(f"  note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
