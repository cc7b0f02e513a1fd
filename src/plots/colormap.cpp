// The ramp: OKLCh -> OKLab -> linear sRGB -> sRGB, sampled once into a 256-entry table.
#include "retrain/plots/colormap.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace retrain {

namespace {

struct Linear {
  double r, g, b;
  bool in_gamut() const { return std::min({r, g, b}) >= 0.0 && std::max({r, g, b}) <= 1.0; }
};

// OKLab -> linear sRGB (the matrices of the OKLab definition).
Linear oklab_to_linear_srgb(double lightness, double a, double b) {
  const double l = std::pow(lightness + 0.3963377774 * a + 0.2158037573 * b, 3);
  const double m = std::pow(lightness - 0.1055613458 * a - 0.0638541728 * b, 3);
  const double s = std::pow(lightness - 0.0894841775 * a - 1.2914855480 * b, 3);
  return {4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
          -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
          -0.0041960863 * l - 0.7034186147 * m + 1.7076147010 * s};
}

std::uint8_t srgb_byte(double linear) {
  const double c = std::clamp(linear, 0.0, 1.0);
  const double encoded = c <= 0.0031308 ? 12.92 * c : 1.055 * std::pow(c, 1.0 / 2.4) - 0.055;
  return static_cast<std::uint8_t>(std::lround(encoded * 255.0));
}

Rgb ramp_entry(double t) {
  const double lightness = 0.16 + 0.80 * t;
  const double hue = (300.0 - 195.0 * t) * std::numbers::pi / 180.0;  // violet -> yellow
  double chroma = 0.10 + 0.08 * t;
  Linear c = oklab_to_linear_srgb(lightness, chroma * std::cos(hue), chroma * std::sin(hue));
  while (!c.in_gamut() && chroma > 1e-4) {
    chroma *= 0.97;
    c = oklab_to_linear_srgb(lightness, chroma * std::cos(hue), chroma * std::sin(hue));
  }
  return {srgb_byte(c.r), srgb_byte(c.g), srgb_byte(c.b)};
}

constexpr int kEntries = 256;

}  // namespace

Rgb ramp_color(double t) {
  static const auto table = [] {
    std::array<Rgb, kEntries> out{};
    for (int i = 0; i < kEntries; ++i) out[i] = ramp_entry(i / double(kEntries - 1));
    return out;
  }();
  const double clamped = std::isnan(t) ? 0.0 : std::clamp(t, 0.0, 1.0);
  return table[static_cast<std::size_t>(std::lround(clamped * (kEntries - 1)))];
}

}  // namespace retrain
