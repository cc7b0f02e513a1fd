// A source of real data points: draws samples of the true distribution, [replicas, n, dim] float64,
// on CPU from an explicit generator (so every draw is reproducible from its seed).
#pragma once
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace retrain {

struct DataOptions;

// The point modes of a mixture of isotropic Gaussians: centres [K, D] float64 and the per-axis std of each.
struct ModeInfo {
  torch::Tensor centers;
  double std = 0.0;
};

class PointSource {
 public:
  virtual ~PointSource() = default;
  virtual std::int64_t dim() const = 0;
  // `replicas` independent draws of `n` points each: [replicas, n, dim], float64, CPU.
  virtual torch::Tensor draw(std::int64_t replicas, std::int64_t n, at::Generator& gen) const = 0;
  // One line for logs, e.g. "gaussian N(mean, cov) in 2-D".
  virtual std::string describe() const = 0;
  // Known point modes (for mode metrics and the nearest_mode correction); none by default.
  virtual std::optional<ModeInfo> modes() const { return std::nullopt; }
};

// The source named by data.source; UsageError for one that draws no points.
std::unique_ptr<PointSource> make_point_source(const DataOptions& config);

}  // namespace retrain
