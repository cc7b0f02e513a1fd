# Builds fake reference checkpoints for tests/scripts/convert_checkpoint_test.cpp from weights the C++
# test wrote: an EDM network-snapshot .pkl, an EDM training-state .pt and a ddpm-torch .pt.
#   make_reference_checkpoints.py SONG_UNET.safetensors DDPM_UNET.safetensors OUT_DIR
# The EDM files pickle classes of fake_edm_networks (this directory), so converting them needs this
# directory on PYTHONPATH, as real ones need the NVlabs/edm checkout. What is written:
#   network-snapshot-000200.pkl  {'ema': FakePrecond(S)}                       S = the SongUNet weights
#   training-state-000200.pt     {'net': FakePrecond(2 S), 'optimizer_state': Adam after one step}
#   ncsnpp-snapshot-000200.pkl   {'ema': FakePrecond(S + a map_noise.freqs buffer)}: an ncsnpp-like net
# (every FakePrecond: 3 channels, resolution 16, 10 classes)
#   ddpm.pt                      {'model': 'module.' + 2 D, 'ema': {'shadow': D, ...}, 'optimizer': Adam
#                                 after one step, 'epoch': 3}                    D = the DdpmUNet weights
# Both Adams take one step with gradient = the parameter itself; the ddpm-torch tensors are stored in
# a shuffled order, so the converter's name-by-order mapping is tested on an order that is not sorted.
# Pickles as NVlabs/edm writes them (classes of tests/scripts/fake_edm, whose torch_utils.persistence
# pickles each network with its module's source and recorded constructor arguments; converting them needs
# that directory as --edm):
#   edm-snapshot-000200.pkl  {'ema': EDMPrecond(S), 'loss_fn': EDMLoss(P_mean -1.1, P_std 1.3),
#                             'augment_pipe': None, 'dataset_kwargs': {path, xflip, ...}}
#   vp-snapshot-000200.pkl   {'ema': VPPrecond(S)}
#   ve-snapshot-000200.pkl   {'ema': VEPrecond(S)}           (no retrain method: no config.yaml)
#   lying-snapshot-000200.pkl {'ema': EDMPrecond(S) recording model_channels 32}  (refused)
# (S built as a ddpmpp SongUNet: resolution 16, 3 channels, unconditional, model_channels 16,
# channel_mult [1, 2], num_blocks 1, attn_resolutions [8], dropout 0.13)
import importlib.machinery
import pathlib
import pickle
import random
import sys
import types

import torch

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "scripts"))
sys.path.insert(1, str(HERE / "fake_edm"))
for only_imported in ("requests", "tqdm"):  # fake_edm imports them, as EDM does; nothing here uses them
    if only_imported not in sys.modules:
        stand_in = types.ModuleType(only_imported)
        stand_in.__spec__ = importlib.machinery.ModuleSpec(only_imported, None)  # torch's importers look for one
        sys.modules[only_imported] = stand_in
from fake_edm_networks import FakePrecond  # noqa: E402
from safetensors_io import load_safetensors  # noqa: E402
from training import networks  # noqa: E402  (tests/scripts/fake_edm/training)

DDPMPP = dict(model_type="SongUNet", embedding_type="positional", encoder_type="standard", decoder_type="standard",
              channel_mult_noise=1, resample_filter=[1, 1], model_channels=16, channel_mult=[1, 2], num_blocks=1,
              attn_resolutions=[8], dropout=0.13, augment_dim=0)


def song_unet_buffers(names):
    return {name for name in names if name == "map_noise.freqs" or name.endswith(".resample_filter")}


def adam_state_after_one_step(parameters):
    """torch.optim.Adam's state_dict after one step with gradient = parameter value, on copies."""
    copies = [torch.nn.Parameter(p.detach().clone()) for p in parameters]
    for p in copies:
        p.grad = p.detach().clone()
    adam = torch.optim.Adam(copies, lr=1e-3)
    adam.step()
    return adam.state_dict()


def write_edm_checkpoints(song, out):
    buffers = song_unet_buffers(song)
    shape = {"img_channels": 3, "img_resolution": 16, "label_dim": 10}
    with open(out / "network-snapshot-000200.pkl", "wb") as f:
        pickle.dump({"ema": FakePrecond(song, buffers, **shape), "loss_fn": None}, f)
    ncsnpp = dict(song, **{"map_noise.freqs": torch.ones(8)})  # FourierEmbedding's buffer
    with open(out / "ncsnpp-snapshot-000200.pkl", "wb") as f:
        pickle.dump({"ema": FakePrecond(ncsnpp, song_unet_buffers(ncsnpp), **shape)}, f)
    net = FakePrecond({name: 2 * t for name, t in song.items()}, buffers, **shape)
    torch.save({"net": net, "optimizer_state": adam_state_after_one_step(list(net.parameters()))},
               out / "training-state-000200.pt")


def edm_style(cls, song, **kwargs):
    precond = cls(img_resolution=16, img_channels=3, label_dim=0, use_fp16=False, **{**DDPMPP, **kwargs})
    networks.adopt(precond.model, song, song_unet_buffers(song))
    return precond.eval().requires_grad_(False)


def write_edm_style_snapshots(song, out):
    dataset_kwargs = {"class_name": "training.dataset.ImageFolderDataset", "path": "datasets/tiny-16x16.zip",
                      "use_labels": False, "xflip": True, "cache": True, "resolution": 16, "max_size": 100}
    snapshots = {
        "edm-snapshot-000200.pkl": {"ema": edm_style(networks.EDMPrecond, song, sigma_data=0.5),
                                    "loss_fn": networks.EDMLoss(P_mean=-1.1, P_std=1.3), "augment_pipe": None,
                                    "dataset_kwargs": dataset_kwargs},
        "vp-snapshot-000200.pkl": {"ema": edm_style(networks.VPPrecond, song, beta_d=19.9, beta_min=0.1, M=1000,
                                                    epsilon_t=1e-5)},
        "ve-snapshot-000200.pkl": {"ema": edm_style(networks.VEPrecond, song)},
        "lying-snapshot-000200.pkl": {"ema": edm_style(networks.EDMPrecond, song, model_channels=32)},
    }
    for name, data in snapshots.items():
        with open(out / name, "wb") as f:
            pickle.dump(data, f)


def write_ddpm_torch_checkpoint(ddpm, out):
    names = list(ddpm)
    random.Random(7).shuffle(names)
    model = {f"module.{name}": 2 * ddpm[name] for name in names}
    ema = {"decay": 0.9999, "shadow": {name: ddpm[name].clone() for name in names}, "num_updates": 1}
    optimizer = adam_state_after_one_step(list(model.values()))
    torch.save({"model": model, "ema": ema, "optimizer": optimizer, "epoch": 3}, out / "ddpm.pt")


def main(song_file, ddpm_file, out_dir):
    out = pathlib.Path(out_dir)
    write_edm_checkpoints(load_safetensors(song_file), out)
    write_edm_style_snapshots(load_safetensors(song_file), out)
    write_ddpm_torch_checkpoint(load_safetensors(ddpm_file), out)


if __name__ == "__main__":
    main(*sys.argv[1:])
