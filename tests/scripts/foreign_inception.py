# Stands in for the pickled Inception of NVlabs/edm's and StyleGAN3's inception-2015-12-05.pkl in
# tests/scripts/make_inception_test.cpp: a module holding the FID Inception's tensors under other names
# (TensorFlow-like, without batch-norm gamma: the graph has none) in the graph's order, whose forward
# (img, return_features) runs a hidden reference copy, so a wrong transplant shows in the features.
import torch


class ForeignInception(torch.nn.Module):
    def __init__(self, reference, conv_layers, fc):
        super().__init__()
        self.layers = torch.nn.Module()
        for index, layer in enumerate(conv_layers):  # the reference's own tensors (one copy in the pickle)
            holder = torch.nn.Module()
            holder.register_parameter("weight", layer.conv.weight)
            holder.register_parameter("beta", layer.bn.bias)
            holder.register_buffer("mean", layer.bn.running_mean)
            holder.register_buffer("var", layer.bn.running_var)
            self.layers.add_module("conv" if index == 0 else f"conv_{index}", holder)
        self.output = torch.nn.Module()
        self.output.register_parameter("weight", fc.weight)
        self.output.register_parameter("bias", fc.bias)
        object.__setattr__(self, "reference", reference)  # not a registered child: not in state_dict()

    def forward(self, img, return_features=False):
        return self.reference(img, return_features=return_features)
