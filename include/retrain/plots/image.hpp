// An 8-bit RGB raster in memory (row-major, top row first): the canvas every plot is drawn on.
#pragma once
#include <cstdint>
#include <vector>

namespace retrain {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};

inline constexpr Rgb kWhite{255, 255, 255};
inline constexpr Rgb kBlack{0, 0, 0};

class Image {
 public:
  Image(int width, int height, Rgb fill = kWhite);

  int width() const { return width_; }
  int height() const { return height_; }
  Rgb pixel(int x, int y) const;
  void set_pixel(int x, int y, Rgb color);
  // The rectangle [x, x + w) x [y, y + h), clipped to the image.
  void fill_rect(int x, int y, int w, int h, Rgb color);
  // Copies `src` with its top-left corner at (x, y), clipped to the image.
  void blit(const Image& src, int x, int y);
  // width * height * 3 bytes, R G B per pixel.
  const std::vector<std::uint8_t>& bytes() const { return data_; }

 private:
  int width_, height_;
  std::vector<std::uint8_t> data_;
};

}  // namespace retrain
