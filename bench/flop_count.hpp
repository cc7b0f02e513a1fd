// Analytic forward FLOPs per image of the image networks (SongUNet, DdpmUNet) at their resolution, from
// their options alone (the benchmark's MFU); a multiply-add counts as 2 FLOPs, as torch's profiler counts.
#pragma once
#include <cstdint>

#include "retrain/models/ddpm_unet.hpp"
#include "retrain/models/song_unet.hpp"

namespace retrain::bench {

// GroupNorm per element: mean (1 add), variance (subtract, square, add), normalise (subtract, multiply by
// the inverse deviation), affine (multiply, add). Per-group square roots and divisions are not counted.
inline constexpr std::int64_t kGroupNormFlopsPerElement = 1 + 3 + 2 + 2;

// Forward FLOPs of one image by kind. Elementwise work (activations, residual sums, softmax, the noise
// embedding's sin/cos, concatenations) is not counted: it is memory-bound and small next to these.
struct FlopCount {
  std::int64_t conv = 0;        // convolutions: 3x3, 1x1, strided, and the FIR up/down-sampling filters
  std::int64_t linear = 0;      // fully connected layers: the noise/class embedding MLP, per-block projections
  std::int64_t attention = 0;   // q.k scores and the score-weighted sum of v: 4 L^2 C per attention layer
  std::int64_t group_norm = 0;  // kGroupNormFlopsPerElement per normalised element
  std::int64_t total() const { return conv + linear + attention + group_norm; }
};

FlopCount forward_flops(const SongUNetOptions& options);
FlopCount forward_flops(const DdpmUNetOptions& options);
// A SongUNet or DdpmUNet; std::invalid_argument for another network (the MLP for points).
FlopCount forward_flops(const Denoiser& net);

}  // namespace retrain::bench
