// Pictures of image tensors: one uint8 image [C, H, W] (C = 1 or 3) as an Image, and a grid of many,
// as `retrain sample` and every evaluated generation write them.
#pragma once
#include <torch/types.h>

#include "retrain/plots/image.hpp"

namespace retrain {

// uint8 [C, H, W] with C = 1 (grey) or 3 (RGB) -> Image. std::invalid_argument for other shapes.
Image tensor_to_image(const torch::Tensor& image);

// uint8 [N, C, H, W] laid out row by row, `columns` per row (0: ceil(sqrt(N))), `gap` pixels between
// cells on a black background.
Image image_grid(const torch::Tensor& images, int columns = 0, int gap = 1);

}  // namespace retrain
