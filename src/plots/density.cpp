// Histogram with bincount on flattened pixel indices, then a log-scaled colour per pixel.
#include "retrain/plots/density.hpp"

#include <cmath>

#include "retrain/plots/colormap.hpp"
#include "retrain/plots/png.hpp"

namespace retrain {

Image density_image(const torch::Tensor& points, const DensityOptions& options) {
  TORCH_CHECK(points.dim() == 2 && points.size(1) == 2, "density_image expects points [N, 2], got ", points.sizes());
  TORCH_CHECK(options.x_max > options.x_min && options.y_max > options.y_min, "density_image: empty extent");
  const int w = options.width, h = options.height;
  const auto p = points.to(torch::kFloat64).cpu();
  const auto col = ((p.select(1, 0) - options.x_min) / (options.x_max - options.x_min) * w).floor();
  const auto row = ((options.y_max - p.select(1, 1)) / (options.y_max - options.y_min) * h).floor();
  const auto inside = (col >= 0) & (col < w) & (row >= 0) & (row < h);
  const auto bins = (row.masked_select(inside) * w + col.masked_select(inside)).to(torch::kLong);
  const auto counts = torch::bincount(bins, {}, static_cast<std::int64_t>(w) * h).to(torch::kFloat64);
  const double top = std::log1p(counts.max().item<double>());
  const auto level = top > 0 ? (counts.log1p() / top).contiguous() : torch::zeros_like(counts);
  const auto* v = level.data_ptr<double>();

  Image image(w, h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) image.set_pixel(x, y, ramp_color(v[static_cast<std::size_t>(y) * w + x]));
  return image;
}

void write_density_png(const std::filesystem::path& path, const torch::Tensor& points, const DensityOptions& options) {
  write_png(path, density_image(points, options));
}

}  // namespace retrain
