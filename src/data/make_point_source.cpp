// data.source -> PointSource.
#include <fmt/format.h>

#include "retrain/data/data_options.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/data/gaussian_source.hpp"
#include "retrain/data/toy2d_source.hpp"

namespace retrain {

std::unique_ptr<PointSource> make_point_source(const DataOptions& config) {
  if (config.source == DataSource::gaussian) {
    const auto d = config.dim;
    auto opts = torch::TensorOptions().dtype(torch::kFloat64);
    auto mean = config.mean.empty() ? torch::zeros({d}, opts) : torch::tensor(config.mean, opts);
    torch::Tensor cov = torch::eye(d, opts);
    if (!config.cov.empty()) {
      std::vector<double> flat;
      for (const auto& row : config.cov) flat.insert(flat.end(), row.begin(), row.end());
      cov = torch::tensor(flat, opts).reshape({d, d});
    }
    return std::make_unique<GaussianSource>(mean, cov);
  }
  if (config.source == DataSource::toy2d)
    return std::make_unique<Toy2dSource>(config.name, config.noise < 0 ? std::nullopt : std::optional<double>(config.noise));
  throw UsageError(fmt::format("data.source '{}' does not provide points", config.source));
}

}  // namespace retrain
