// Image, colour ramp, text, density and strip-figure rasters: pixels where the layout says they are.
#include <gtest/gtest.h>

#include <string>

#include "retrain/plots/colormap.hpp"
#include "retrain/plots/density.hpp"
#include "retrain/plots/strip_figure.hpp"
#include "retrain/plots/text.hpp"

namespace retrain {
namespace {

// Relative luminance proxy (Rec. 709 weights on the encoded values): enough to check monotone brightness.
double brightness(Rgb c) { return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b; }

int count_color(const Image& image, int x0, int y0, int x1, int y1, Rgb color) {
  int count = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) count += image.pixel(x, y) == color;
  return count;
}

TEST(Image, FillAndBlitAreClipped) {
  Image image(10, 8);
  image.fill_rect(-5, -5, 8, 7, kBlack);
  EXPECT_EQ(count_color(image, 0, 0, 10, 8, kBlack), 3 * 2);
  Image patch(4, 4, Rgb{1, 2, 3});
  image.blit(patch, 8, 6);
  EXPECT_EQ(count_color(image, 0, 0, 10, 8, Rgb{1, 2, 3}), 2 * 2);
  EXPECT_EQ(image.pixel(9, 7), (Rgb{1, 2, 3}));
}

TEST(Colormap, RampGetsBrighterFromDarkToBright) {
  EXPECT_LT(brightness(ramp_color(0.0)), 40);
  EXPECT_GT(brightness(ramp_color(1.0)), 200);
  for (int i = 1; i <= 32; ++i) EXPECT_GT(brightness(ramp_color(i / 32.0)), brightness(ramp_color((i - 1) / 32.0)));
  EXPECT_EQ(ramp_color(-1.0), ramp_color(0.0));
  EXPECT_EQ(ramp_color(2.0), ramp_color(1.0));
}

TEST(Text, GlyphsStayInsideTheirBox) {
  Image image(200, 60);
  const std::string text = "gen 12";
  draw_text(image, 10, 20, text, kBlack, 2);
  const int w = text_width(text, 2), h = text_height(2);
  EXPECT_GT(count_color(image, 10, 20, 10 + w, 20 + h, kBlack), 50);
  EXPECT_EQ(count_color(image, 0, 0, 200, 60, kBlack), count_color(image, 10, 20, 10 + w, 20 + h, kBlack));
  EXPECT_EQ(text_width("ab", 3), 3 * text_width("ab", 1));
  EXPECT_EQ(text_width("\xce\xbb", 1), text_width("??", 1));  // non-ASCII drawn as '?'
}

TEST(DensityImage, CountsAreLogScaledIntoTheRamp) {
  DensityOptions options;
  options.x_min = 0, options.x_max = 4, options.y_min = 0, options.y_max = 2;
  options.width = 4, options.height = 2;
  // 9 points in bin (col 0, top row), 1 in (col 3, bottom row), one outside the extent.
  auto points = torch::tensor({0.5, 1.5}, torch::kFloat64).repeat({9, 1});
  points = torch::cat({points, torch::tensor({{3.5, 0.5}, {9.0, 9.0}}, torch::kFloat64)});
  const auto image = density_image(points, options);
  ASSERT_EQ(image.width(), 4);
  ASSERT_EQ(image.height(), 2);
  EXPECT_EQ(image.pixel(0, 0), ramp_color(1.0));
  EXPECT_EQ(image.pixel(3, 1), ramp_color(std::log(2.0) / std::log(10.0)));
  EXPECT_EQ(image.pixel(1, 0), ramp_color(0.0));
  EXPECT_EQ(count_color(image, 0, 0, 4, 2, ramp_color(0.0)), 6);
}

TEST(StripFigure, PanelsSitWhereTheLayoutSaysAndGapsAreWhite) {
  StripLayout layout;
  layout.panel.width = layout.panel.height = 32;
  layout.gap = 3, layout.margin = 5, layout.text_scale = 1;
  const auto x = torch::zeros({10, 2}, torch::kFloat64);
  const StripFigure figure{{"a", "b"}, {{"r1", {x, x}}, {"row two", {x, torch::Tensor()}}}};
  const auto image = render_strip_figure(figure, layout);
  const int label_w = text_width("row two", 1) + 3, title_h = text_height(1) + 3;
  ASSERT_EQ(image.width(), 2 * 5 + label_w + 2 * 32 + 3);
  ASSERT_EQ(image.height(), 2 * 5 + title_h + 2 * 32 + 3);
  const int x0 = 5 + label_w, y0 = 5 + title_h;
  // Panel (0, 0) is a density picture (empty bins are the ramp's darkest colour); (1, 1) is blank.
  EXPECT_EQ(count_color(image, x0, y0, x0 + 32, y0 + 32, ramp_color(0.0)), 32 * 32 - 1);
  EXPECT_EQ(count_color(image, x0 + 35, y0 + 35, x0 + 67, y0 + 67, kWhite), 32 * 32);
  // The gaps between panels and the outer margin are white.
  EXPECT_EQ(count_color(image, x0 + 32, y0, x0 + 35, y0 + 67, kWhite), 3 * 67);
  EXPECT_EQ(count_color(image, x0, y0 + 32, x0 + 67, y0 + 35, kWhite), 67 * 3);
  EXPECT_EQ(count_color(image, 0, 0, image.width(), 5, kWhite), image.width() * 5);
  // Titles and labels are drawn in black in their strips.
  EXPECT_GT(count_color(image, x0, 5, x0 + 32, y0, kBlack), 0);
  EXPECT_GT(count_color(image, 5, y0 + 35, x0, y0 + 67, kBlack), 0);
  EXPECT_THROW(render_strip_figure(StripFigure{{"a", "b"}, {{"r", {x}}}}, layout), c10::Error);
}

}  // namespace
}  // namespace retrain
