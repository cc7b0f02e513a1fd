// Nearest-mode correction: argmin of squared distances, then a lerp toward that centre.
#include "retrain/correction/nearest_mode.hpp"

#include <fmt/format.h>

namespace retrain {

NearestModeCorrection::NearestModeCorrection(torch::Tensor centers, double strength)
    : centers_(centers.to(torch::kFloat64)), strength_(strength) {}

torch::Tensor NearestModeCorrection::apply(const torch::Tensor& samples, const torch::Tensor&, at::Generator&) const {
  TORCH_CHECK(samples.size(-1) == centers_.size(1), "nearest_mode: samples of dimension ", samples.size(-1),
              " but mode centres of dimension ", centers_.size(1));
  if (strength_ == 0) return samples;
  auto x = samples.reshape({-1, samples.size(-1)});
  auto centers = centers_.to(x.device(), x.scalar_type());
  auto nearest = centers.index_select(0, torch::cdist(x, centers).argmin(1));
  return (x + strength_ * (nearest - x)).reshape(samples.sizes());
}

std::string NearestModeCorrection::describe() const {
  return fmt::format("nearest_mode (strength {}: each point moves that far toward its nearest of {} centres)", strength_,
                     centers_.size(0));
}

}  // namespace retrain
