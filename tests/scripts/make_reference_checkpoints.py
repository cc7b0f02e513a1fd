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
import pathlib
import pickle
import random
import sys

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "scripts"))
from fake_edm_networks import FakePrecond  # noqa: E402
from safetensors_io import load_safetensors  # noqa: E402


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
    write_ddpm_torch_checkpoint(load_safetensors(ddpm_file), out)


if __name__ == "__main__":
    main(*sys.argv[1:])
