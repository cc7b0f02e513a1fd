// Gaussian source: x = mean + L z with L the Cholesky factor of cov and z ~ N(0, I).
#include "retrain/data/gaussian_source.hpp"

#include <fmt/format.h>

namespace retrain {

GaussianSource::GaussianSource(torch::Tensor mean, torch::Tensor cov)
    : mean_(mean.to(torch::kFloat64).cpu()), cov_(cov.to(torch::kFloat64).cpu()) {
  chol_ = torch::linalg_cholesky(cov_);
}

torch::Tensor GaussianSource::draw(std::int64_t replicas, std::int64_t n, at::Generator& gen) const {
  auto z = at::randn({replicas, n, dim()}, gen, torch::TensorOptions().dtype(torch::kFloat64));
  return mean_ + z.matmul(chol_.transpose(0, 1));
}

std::string GaussianSource::describe() const {
  const double avg_var = cov_.diagonal().mean().item<double>();
  return fmt::format("gaussian in {}-D (mean norm {:.3g}, mean variance {:.3g})", dim(), mean_.norm().item<double>(),
                     avg_var);
}

}  // namespace retrain
