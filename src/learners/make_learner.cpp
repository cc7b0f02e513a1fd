// learner.type -> Learner.
#include "retrain/learners/make_learner.hpp"

#include <fmt/format.h>

#include "retrain/core/errors.hpp"
#include "retrain/learners/diffusion_learner.hpp"
#include "retrain/learners/gaussian_learner.hpp"

namespace retrain {

std::unique_ptr<Learner> make_learner(const Config& config, const PointSource& source, torch::Device device) {
  if (config.learner.type == "gaussian") {
    const auto* gaussian = dynamic_cast<const GaussianSource*>(&source);
    if (!gaussian) throw UsageError(fmt::format("learner.type: gaussian needs data.source: gaussian, got '{}'", config.data.source));
    return std::make_unique<GaussianLearner>(*gaussian, config.learner.replicas, device);
  }
  if (config.learner.type == "diffusion") return std::make_unique<DiffusionLearner>(config, source, device);
  throw UsageError(fmt::format("learner.type '{}' is not known", config.learner.type));
}

}  // namespace retrain
