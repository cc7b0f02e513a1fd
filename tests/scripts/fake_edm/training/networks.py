# Stand-in for NVlabs/edm's training/networks.py (see ../README.md): the classes a snapshot pickles, with
# EDM's constructor arguments recorded, holding given tensors instead of building layers.
import math

import torch
from torch_utils import misc  # noqa: F401  (as EDM's augment.py: pickled sources import it)
from torch_utils import persistence


def adopt(module, tensors, buffer_names):
    """Registers {dotted name: tensor} in nested child modules, so state_dict() returns the same names."""
    for name, tensor in tensors.items():
        *path, leaf = name.split(".")
        owner = module
        for part in path:
            if part not in owner._modules:
                owner.add_module(part, torch.nn.Module())
            owner = owner._modules[part]
        if name in buffer_names:
            owner.register_buffer(leaf, tensor.clone())
        else:
            owner.register_parameter(leaf, torch.nn.Parameter(tensor.clone()))


@persistence.persistent_class
class SongUNet(torch.nn.Module):
    def __init__(self, img_resolution, in_channels, out_channels, label_dim=0, **kwargs):
        super().__init__()


class Precond(torch.nn.Module):
    def __init__(self, img_resolution, img_channels, label_dim=0, use_fp16=False, model_type="SongUNet",
                 **model_kwargs):
        super().__init__()
        self.img_resolution = img_resolution
        self.img_channels = img_channels
        self.label_dim = label_dim
        self.use_fp16 = use_fp16
        self.model = globals()[model_type](img_resolution=img_resolution, in_channels=img_channels,
                                           out_channels=img_channels, label_dim=label_dim, **model_kwargs)


@persistence.persistent_class
class EDMPrecond(Precond):
    def __init__(self, img_resolution, img_channels, label_dim=0, use_fp16=False, sigma_min=0, sigma_max=float("inf"),
                 sigma_data=0.5, model_type="DhariwalUNet", **model_kwargs):
        super().__init__(img_resolution, img_channels, label_dim, use_fp16, model_type, **model_kwargs)
        self.sigma_min = sigma_min
        self.sigma_max = sigma_max
        self.sigma_data = sigma_data


@persistence.persistent_class
class VPPrecond(Precond):
    def __init__(self, img_resolution, img_channels, label_dim=0, use_fp16=False, beta_d=19.9, beta_min=0.1, M=1000,
                 epsilon_t=1e-5, model_type="SongUNet", **model_kwargs):
        super().__init__(img_resolution, img_channels, label_dim, use_fp16, model_type, **model_kwargs)
        self.beta_d, self.beta_min, self.M, self.epsilon_t = beta_d, beta_min, M, epsilon_t
        self.sigma_min = float(math.sqrt(math.exp(0.5 * beta_d * epsilon_t ** 2 + beta_min * epsilon_t) - 1))
        self.sigma_max = float(math.sqrt(math.exp(0.5 * beta_d + beta_min) - 1))


@persistence.persistent_class
class VEPrecond(Precond):
    def __init__(self, img_resolution, img_channels, label_dim=0, use_fp16=False, sigma_min=0.02, sigma_max=100,
                 model_type="SongUNet", **model_kwargs):
        super().__init__(img_resolution, img_channels, label_dim, use_fp16, model_type, **model_kwargs)
        self.sigma_min, self.sigma_max = sigma_min, sigma_max


@persistence.persistent_class
class EDMLoss:
    def __init__(self, P_mean=-1.2, P_std=1.2, sigma_data=0.5):
        self.P_mean = P_mean
        self.P_std = P_std
        self.sigma_data = sigma_data
