// PNG files: signature and IHDR size of everything the plots room writes.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include <cstdint>
#include <string>

#include "retrain/data/toy2d_source.hpp"
#include "retrain/plots/density.hpp"
#include "retrain/plots/png.hpp"
#include "retrain/plots/strip_figure.hpp"
#include "retrain/plots/text.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

struct PngSize {
  std::uint32_t width, height;
};

std::uint32_t big_endian(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  return v;
}

// Checks the 8-byte signature and that the first chunk is a 13-byte IHDR; returns its width and height.
PngSize png_size(const std::string& bytes) {
  EXPECT_GE(bytes.size(), 33u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(big_endian(bytes, 8), 13u);
  EXPECT_EQ(bytes.substr(12, 4), "IHDR");
  return {big_endian(bytes, 16), big_endian(bytes, 20)};
}

torch::Tensor moons(std::int64_t n) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
  return Toy2dSource("moons").draw(1, n, gen)[0];
}

TEST(Png, EncodedImageHasSignatureAndSize) {
  const auto size = png_size(encode_png(Image(37, 21)));
  EXPECT_EQ(size.width, 37u);
  EXPECT_EQ(size.height, 21u);
}

TEST(Png, WritePngReplacesTheFileWithTheEncodedBytes) {
  test::ScratchDir dir;
  const auto path = dir / "a.png";
  test::write_text(path, "old");
  Image image(5, 4);
  image.set_pixel(2, 1, Rgb{10, 20, 30});
  write_png(path, image);
  EXPECT_EQ(test::read_text(path), encode_png(image));
}

TEST(Png, DensityPngHasTheRequestedSize) {
  test::ScratchDir dir;
  DensityOptions options;
  options.width = 120;
  options.height = 80;
  write_density_png(dir / "density.png", moons(1000), options);
  const auto size = png_size(test::read_text(dir / "density.png"));
  EXPECT_EQ(size.width, 120u);
  EXPECT_EQ(size.height, 80u);
}

TEST(Png, StripFigurePngHasTheDocumentedSize) {
  test::ScratchDir dir;
  StripLayout layout;
  layout.panel.width = layout.panel.height = 64;
  const auto x = moons(500);
  const StripFigure figure{{"true", "gen 0", "gen 5"}, {{"lambda=1", {x, x, x}}, {"fully synthetic", {x, x, x}}}};
  write_strip_figure(dir / "strip.png", figure, layout);
  const auto size = png_size(test::read_text(dir / "strip.png"));
  const int label_w = text_width("fully synthetic", layout.text_scale) + layout.gap;
  const int title_h = text_height(layout.text_scale) + layout.gap;
  EXPECT_EQ(size.width, static_cast<std::uint32_t>(2 * layout.margin + label_w + 3 * 64 + 2 * layout.gap));
  EXPECT_EQ(size.height, static_cast<std::uint32_t>(2 * layout.margin + title_h + 2 * 64 + layout.gap));
}

}  // namespace
}  // namespace retrain
