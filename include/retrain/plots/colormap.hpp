// A perceptual dark-to-bright colour ramp computed in OKLab (Ottosson 2020): lightness rises linearly
// from 0.16 to 0.96 while the hue turns from violet through blue and teal to yellow (viridis-like).
#pragma once
#include "retrain/plots/image.hpp"

namespace retrain {

// Colour at t in [0, 1] (clamped): 0 is darkest, 1 brightest. Chroma is reduced where a colour falls
// outside the sRGB gamut, so lightness stays exact.
Rgb ramp_color(double t);

}  // namespace retrain
