// RGB raster: bounds-checked pixel access, clipped rectangle fill and copy.
#include "retrain/plots/image.hpp"

#include <algorithm>
#include <cstddef>

namespace retrain {

namespace {
std::size_t offset(int width, int x, int y) { return (static_cast<std::size_t>(y) * width + x) * 3; }
}  // namespace

Image::Image(int width, int height, Rgb fill) : width_(width), height_(height) {
  TORCH_CHECK(width > 0 && height > 0, "Image: size ", width, " x ", height, " must be positive");
  data_.resize(static_cast<std::size_t>(width) * height * 3);
  fill_rect(0, 0, width, height, fill);
}

Rgb Image::pixel(int x, int y) const {
  TORCH_CHECK(x >= 0 && y >= 0 && x < width_ && y < height_, "Image::pixel (", x, ", ", y, ") outside ", width_, " x ",
              height_);
  const auto* p = &data_[offset(width_, x, y)];
  return {p[0], p[1], p[2]};
}

void Image::set_pixel(int x, int y, Rgb color) {
  TORCH_CHECK(x >= 0 && y >= 0 && x < width_ && y < height_, "Image::set_pixel (", x, ", ", y, ") outside ", width_,
              " x ", height_);
  auto* p = &data_[offset(width_, x, y)];
  p[0] = color.r;
  p[1] = color.g;
  p[2] = color.b;
}

void Image::fill_rect(int x, int y, int w, int h, Rgb color) {
  const int x0 = std::max(x, 0), x1 = std::min(x + w, width_);
  const int y0 = std::max(y, 0), y1 = std::min(y + h, height_);
  for (int yy = y0; yy < y1; ++yy)
    for (int xx = x0; xx < x1; ++xx) set_pixel(xx, yy, color);
}

void Image::blit(const Image& src, int x, int y) {
  const int x0 = std::max(x, 0), x1 = std::min(x + src.width(), width_);
  const int y0 = std::max(y, 0), y1 = std::min(y + src.height(), height_);
  for (int yy = y0; yy < y1; ++yy)
    for (int xx = x0; xx < x1; ++xx) set_pixel(xx, yy, src.pixel(xx - x, yy - y));
}

}  // namespace retrain
