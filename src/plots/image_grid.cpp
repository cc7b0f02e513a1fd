// image_grid: tensor -> raster conversion and tiling.
#include "retrain/plots/image_grid.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace retrain {

Image tensor_to_image(const torch::Tensor& image) {
  if (image.dim() != 3 || image.scalar_type() != torch::kUInt8 || (image.size(0) != 1 && image.size(0) != 3))
    throw std::invalid_argument(fmt::format("tensor_to_image expects uint8 [1 or 3, H, W], got {} {}",
                                            c10::toString(image.scalar_type()), c10::str(image.sizes())));
  const auto hwc = image.expand({3, image.size(1), image.size(2)}).permute({1, 2, 0}).contiguous().cpu();
  const int h = static_cast<int>(hwc.size(0)), w = static_cast<int>(hwc.size(1));
  Image out(w, h);
  const auto* p = hwc.data_ptr<std::uint8_t>();
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x, p += 3) out.set_pixel(x, y, {p[0], p[1], p[2]});
  return out;
}

Image image_grid(const torch::Tensor& images, int columns, int gap) {
  if (images.dim() != 4 || images.size(0) < 1)
    throw std::invalid_argument(fmt::format("image_grid expects [N >= 1, C, H, W], got {}", c10::str(images.sizes())));
  const int n = static_cast<int>(images.size(0));
  const int cols = columns > 0 ? columns : static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
  const int rows = (n + cols - 1) / cols;
  const int h = static_cast<int>(images.size(2)), w = static_cast<int>(images.size(3));
  Image grid(cols * w + (cols + 1) * gap, rows * h + (rows + 1) * gap, kBlack);
  for (int i = 0; i < n; ++i)
    grid.blit(tensor_to_image(images[i]), gap + (i % cols) * (w + gap), gap + (i / cols) * (h + gap));
  return grid;
}

}  // namespace retrain
