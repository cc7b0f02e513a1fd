// PNG/JPEG decoding (stb_image) into uint8 [C, H, W] tensors, and stacking of same-shaped images,
// shared by the readers of image files (EDM dataset_tool zips/folders, plain image folders).
#pragma once
#include <torch/torch.h>

#include <string>
#include <string_view>
#include <vector>

namespace retrain {

// The encoded file `bytes` (PNG or JPEG) as uint8 [C, H, W]: C = 1 for grayscale (alpha dropped), else 3
// (RGB, alpha dropped). Throws std::runtime_error naming `name` when the bytes cannot be decoded.
torch::Tensor decode_image(std::string_view bytes, const std::string& name);

// images[i] (uint8 [C, H, W], decoded from names[i]) as one uint8 [N, C, H, W]; throws
// std::runtime_error naming the first file whose shape differs from the first one's.
torch::Tensor stack_images(const std::vector<torch::Tensor>& images, const std::vector<std::string>& names);

// True for names ending in .png, .jpg or .jpeg (any case).
bool is_image_file_name(std::string_view name);

}  // namespace retrain
