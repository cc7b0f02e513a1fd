// The one float -> uint8 pixel conversion: stored synthetic images, sample PNGs and feature inputs.
#pragma once
#include <torch/types.h>

namespace retrain {

// Images in [-1, 1] -> uint8 exactly as EDM writes its samples: floor(x * 127.5 + 128) clamped to
// [0, 255] (= round((x + 1) * 127.5)), on the input's device.
torch::Tensor quantize_images(const torch::Tensor& x);

}  // namespace retrain
