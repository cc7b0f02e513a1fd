# Stand-ins for NVlabs/edm's pickled network classes, for the checkpoint-converter test: a preconditioning
# wrapper with EDM's shape attributes whose `.model`, a SongUNet, holds given tensors under their names.
import torch


class TensorTree(torch.nn.Module):
    """Registers every tensor of {dotted name: tensor} in nested child modules, so state_dict() returns
    the same names; names in `buffer_names` become buffers, the others parameters."""

    def __init__(self, tensors, buffer_names):
        super().__init__()
        for name, tensor in tensors.items():
            *path, leaf = name.split(".")
            owner = self
            for part in path:
                if part not in owner._modules:
                    owner.add_module(part, torch.nn.Module())
                owner = owner._modules[part]
            if name in buffer_names:
                owner.register_buffer(leaf, tensor.clone())
            else:
                owner.register_parameter(leaf, torch.nn.Parameter(tensor.clone()))


class SongUNet(TensorTree):
    """Named like EDM's U-Net class, which the converter checks before reading the arch from the weights."""


class FakePrecond(torch.nn.Module):
    """Like EDM's EDMPrecond: img_channels, img_resolution and label_dim, and the U-Net as its `.model`."""

    def __init__(self, tensors, buffer_names, img_channels, img_resolution, label_dim):
        super().__init__()
        self.img_channels = img_channels
        self.img_resolution = img_resolution
        self.label_dim = label_dim
        self.model = SongUNet(tensors, buffer_names)
