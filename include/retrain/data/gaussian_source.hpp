// The Gaussian N(mean, cov) as a real-data source; its parameters are exposed for closed-form metrics.
#pragma once
#include "retrain/data/point_source.hpp"

namespace retrain {

class GaussianSource final : public PointSource {
 public:
  // mean [d], cov [d, d] symmetric positive definite (both converted to float64).
  GaussianSource(torch::Tensor mean, torch::Tensor cov);
  std::int64_t dim() const override { return mean_.size(0); }
  torch::Tensor draw(std::int64_t replicas, std::int64_t n, at::Generator& gen) const override;
  std::string describe() const override;
  const torch::Tensor& mean() const { return mean_; }
  const torch::Tensor& cov() const { return cov_; }

 private:
  torch::Tensor mean_, cov_, chol_;
};

}  // namespace retrain
