// The toy-experiment metrics in one call: generated vs held-out real points -> a flat JSON object of numbers.
#pragma once
#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <cstdint>

namespace retrain {

struct PointMetricOptions {
  std::int64_t num_projections = 256;  // sliced Wasserstein-2 directions
  std::uint64_t projection_seed = 0;   // seeds those directions (same seed: same directions every generation)
  torch::Tensor mode_centers;          // [K, 2] for sources with point modes; undefined: no mode metrics
  double mode_std = 0.0;               // the true per-axis std of every mode
  double min_mode_share = 0.1;         // coverage rule, see mode_statistics
};

// generated [N, D], real [M, D]. Keys: "sw2", "energy_distance", and with mode_centers also
// "modes_covered", "mode_coverage", "mode_within_3sigma", "mode_std_ratio" and "mode_offset" (both null
// when no mode is covered).
nlohmann::json point_metrics(const torch::Tensor& generated, const torch::Tensor& real,
                             const PointMetricOptions& options = {});

}  // namespace retrain
