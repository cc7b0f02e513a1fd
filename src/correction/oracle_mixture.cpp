// Oracle mixture correction: Bernoulli(gamma/(1+gamma)) mask per sample, true draws where it is set.
#include "retrain/correction/oracle_mixture.hpp"

#include <fmt/format.h>

namespace retrain {

OracleMixtureCorrection::OracleMixtureCorrection(const PointSource& truth, double gamma) : truth_(truth), gamma_(gamma) {}

torch::Tensor OracleMixtureCorrection::apply(const torch::Tensor& samples, const torch::Tensor&, at::Generator& gen) const {
  TORCH_CHECK(samples.dim() == 3, "oracle_mixture expects samples [R, n, d], got ", samples.sizes());
  const auto r = samples.size(0), n = samples.size(1);
  auto probs = torch::full({r, n}, replace_probability(), torch::TensorOptions().dtype(torch::kFloat64));
  auto replace = at::bernoulli(probs, gen).to(torch::kBool).unsqueeze(-1).to(samples.device());
  auto fresh = truth_.draw(r, n, gen).to(samples.device(), samples.scalar_type());
  return torch::where(replace, fresh, samples);
}

std::string OracleMixtureCorrection::describe() const {
  return fmt::format("oracle_mixture (gamma {}: each sample replaced by a true draw with probability {:.3g})", gamma_,
                     replace_probability());
}

}  // namespace retrain
