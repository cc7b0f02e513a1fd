// Density pictures of 2-D points: a 2-D histogram on a fixed extent (one bin per pixel), counts log-scaled
// to [0, 1] as log(1 + c) / log(1 + max c) and coloured with ramp_color (empty bins are the darkest colour).
#pragma once
#include <torch/types.h>

#include <filesystem>

#include "retrain/plots/image.hpp"

namespace retrain {

struct DensityOptions {
  double x_min = -4.5, x_max = 4.5;  // the extent; points outside are not counted
  double y_min = -4.5, y_max = 4.5;  // y grows upwards in the picture
  int width = 256, height = 256;     // pixels = bins
};

// points [N, 2] (any float dtype, any device).
Image density_image(const torch::Tensor& points, const DensityOptions& options = {});

// density_image, written as a PNG atomically.
void write_density_png(const std::filesystem::path& path, const torch::Tensor& points,
                       const DensityOptions& options = {});

}  // namespace retrain
