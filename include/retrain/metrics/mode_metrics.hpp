// Mode statistics of 2-D samples against a mixture of isotropic Gaussian modes with known centres and std:
// coverage, share of samples near a mode, and per-mode spread relative to the truth (the collapse signature).
#pragma once
#include <torch/types.h>

#include <cstdint>

namespace retrain {

struct ModeStatistics {
  std::int64_t modes_covered = 0;
  double coverage = 0.0;       // modes_covered / K
  double within_3sigma = 0.0;  // share of all samples within 3 std of their nearest centre
  double std_ratio = 0.0;      // mean over covered modes of std_k / true std; NaN when no mode is covered
  double offset = 0.0;         // mean over covered modes of |mean_k - centre_k| / true std; NaN likewise
};

// samples [N, 2], centers [K, 2], true_std > 0 the per-axis std of every mode. The rules:
// - each sample belongs to its nearest centre; it is "near" when its distance to it is <= 3 true_std
//   (a radius that holds 1 - exp(-4.5) = 98.9% of a true mode's mass);
// - a mode is covered when at least max(1, min_share * N / K) samples are near it (min_share is the
//   fraction of a uniform share of the samples; 0.1 by default);
// - mean_k is the mean of the samples near mode k; std_k is the std of the 2-D isotropic Gaussian whose
//   second moment, truncated at the near radius, equals that of those samples about mean_k. A true draw
//   gives std_k ~= true_std and mean_k ~= the centre; samples collapsed onto any single point of the mode
//   (paper 1's Figure 1, where each mode shrinks to a dot that need not sit at its true centre) give
//   std_k ~= 0, and `offset` says how far those dots moved. Ratios are capped at 4 (a mode that wide
//   fills its 3-sigma disc almost uniformly), so the ratio tells collapse (< 1) apart far better than
//   over-dispersion.
ModeStatistics mode_statistics(const torch::Tensor& samples, const torch::Tensor& centers, double true_std,
                               double min_share = 0.1);

}  // namespace retrain
