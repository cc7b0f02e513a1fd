# Reference data for tests/scripts/make_inception_test.cpp (no Inception weights can be downloaded here,
# so everything uses random weights of the FID Inception architecture):
#   inception_reference.py OUT_DIR
# writes into OUT_DIR
#   pt_inception-random.pth   a state dict as pytorch-fid's pt_inception-2015-12-05-*.pth (its names, no
#                             num_batches_tracked, as the published file)
#   images.npy                uint8 [3, 3, 32, 32] test images; gray.npy uint8 [2, 1, 24, 24]
#   features_tf.npy, features_pytorch_fid.npy   float32 [3, 2048]: the eager network's features of images.npy
#                             with each preprocessing; features_gray.npy: of gray.npy (tf)
#   foreign.pkl               {'detector': ForeignInception}: the same kind of network as the .pth but with
#                             batch-norm gamma 1, under TensorFlow-like names (foreign_inception.py);
#                             features_foreign.npy its features of images.npy
#   swapped.pkl               foreign.pkl with two same-shaped convolutions exchanged (a wrong order)
#   stylegan.pt               a TorchScript network with forward(img, return_features), as StyleGAN2-ADA's
#   facts.json                the .pth's parameter count, tensor count and some shapes, and the largest
#                             difference of the TF resize to a pixel-by-pixel loop of its definition
import json
import pathlib
import pickle
import sys

import numpy as np
import torch

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "scripts"))
sys.path.insert(0, str(HERE))
import make_inception as mi  # noqa: E402
from foreign_inception import ForeignInception  # noqa: E402


def random_net(seed, gamma_one=False):
    net = mi.random_inception(seed)
    if gamma_one:
        with torch.no_grad():
            for layer in mi.conv_layers(net):
                layer.bn.weight.fill_(1.0)
    return net


def features(module, images):
    with torch.no_grad():
        return module(torch.from_numpy(images), return_features=True).numpy()


def resize_by_loop(image, height, width):
    """TensorFlow 1 resize_bilinear written out pixel by pixel: source p = i * in / out, float32 weights."""
    channels, h_in, w_in = image.shape
    out = np.zeros((channels, height, width), dtype=np.float64)
    for i in range(height):
        p = np.float32(i) * np.float32(h_in / height)
        top, dy = int(np.floor(p)), float(p - np.floor(p))
        bottom = min(top + 1, h_in - 1)
        for j in range(width):
            q = np.float32(j) * np.float32(w_in / width)
            left, dx = int(np.floor(q)), float(q - np.floor(q))
            right = min(left + 1, w_in - 1)
            upper = image[:, top, left] * (1 - dx) + image[:, top, right] * dx
            lower = image[:, bottom, left] * (1 - dx) + image[:, bottom, right] * dx
            out[:, i, j] = upper * (1 - dy) + lower * dy
    return out


def main(out_dir):
    out = pathlib.Path(out_dir)
    rng = np.random.default_rng(5)
    images = rng.integers(0, 256, size=(3, 3, 32, 32), dtype=np.uint8)
    gray = rng.integers(0, 256, size=(2, 1, 24, 24), dtype=np.uint8)
    np.save(out / "images.npy", images)
    np.save(out / "gray.npy", gray)

    net = random_net(3)
    state = {k: v for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")}
    torch.save(state, out / "pt_inception-random.pth")
    np.save(out / "features_tf.npy", features(mi.FidInception(net, "tf").eval(), images))
    np.save(out / "features_pytorch_fid.npy", features(mi.FidInception(net, "pytorch-fid").eval(), images))
    np.save(out / "features_gray.npy", features(mi.FidInception(net, "tf").eval(), gray))

    foreign_net = random_net(4, gamma_one=True)
    foreign = ForeignInception(mi.FidInception(foreign_net, "tf").eval(), mi.conv_layers(foreign_net), foreign_net.fc)
    with open(out / "foreign.pkl", "wb") as f:
        pickle.dump({"detector": foreign.eval()}, f)
    np.save(out / "features_foreign.npy", features(foreign, images))
    # Mixed_6b's branch7x7dbl_2 and _4 are both 128 x 128 x 7 x 1: exchanged in the names only, the hidden
    # reference keeps them in place.
    a, b = foreign.layers.conv_35.weight, foreign.layers.conv_37.weight
    assert a.shape == b.shape, (a.shape, b.shape)
    foreign.layers.conv_35.weight, foreign.layers.conv_37.weight = b, a
    with open(out / "swapped.pkl", "wb") as f:
        pickle.dump({"detector": foreign.eval()}, f)

    torch.jit.save(torch.jit.script(mi.FidInception(random_net(6), "tf").eval()), str(out / "stylegan.pt"))

    small = rng.uniform(0, 255, size=(3, 5, 7)).astype(np.float32)
    resized = mi.tf_resize_bilinear(torch.from_numpy(small)[None], 11, 4)[0].numpy()
    facts = {"parameters": sum(p.numel() for p in net.parameters()), "tensors": len(state),
             "shapes": {k: list(state[k].shape) for k in ("Conv2d_1a_3x3.conv.weight", "Conv2d_4a_3x3.bn.running_var",
                                                           "Mixed_5b.branch_pool.conv.weight",
                                                           "Mixed_6e.branch7x7dbl_5.conv.weight",
                                                           "Mixed_7a.branch3x3_2.conv.weight",
                                                           "Mixed_7c.branch3x3dbl_3b.conv.weight", "fc.weight")},
             "resize_max_difference": float(np.abs(resized - resize_by_loop(small, 11, 4)).max())}
    (out / "facts.json").write_text(json.dumps(facts))


if __name__ == "__main__":
    main(sys.argv[1])
