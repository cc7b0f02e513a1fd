// Gathers the sliced Wasserstein, energy distance and mode statistics into one JSON object.
#include "retrain/metrics/point_metrics.hpp"

#include <cmath>

#include "retrain/metrics/energy_distance.hpp"
#include "retrain/metrics/mode_metrics.hpp"
#include "retrain/metrics/sliced_wasserstein.hpp"

namespace retrain {

nlohmann::json point_metrics(const torch::Tensor& generated, const torch::Tensor& real,
                             const PointMetricOptions& options) {
  nlohmann::json out = {
      {"sw2", sliced_wasserstein2(generated, real, options.num_projections, options.projection_seed)},
      {"energy_distance", energy_distance(generated, real)},
  };
  if (options.mode_centers.defined()) {
    const auto modes = mode_statistics(generated, options.mode_centers, options.mode_std, options.min_mode_share);
    out["modes_covered"] = modes.modes_covered;
    out["mode_coverage"] = modes.coverage;
    out["mode_within_3sigma"] = modes.within_3sigma;
    const auto number_or_null = [](double v) { return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v); };
    out["mode_std_ratio"] = number_or_null(modes.std_ratio);
    out["mode_offset"] = number_or_null(modes.offset);
  }
  return out;
}

}  // namespace retrain
