// learner.type -> Learner, with the evaluator that fits the data.
#include "retrain/learners/make_learner.hpp"

#include <fmt/format.h>

#include "retrain/core/errors.hpp"
#include "retrain/data/image_source.hpp"
#include "retrain/learners/diffusion_learner.hpp"
#include "retrain/learners/gaussian_learner.hpp"
#include "retrain/learners/image_evaluator.hpp"
#include "retrain/learners/point_evaluator.hpp"

namespace retrain {

std::unique_ptr<Learner> make_learner(const Config& config, const RealData& real, torch::Device device,
                                      std::shared_ptr<const FeatureExtractor> extractor,
                                      const std::filesystem::path& cache_dir, const World& world) {
  if (config.learner.type == LearnerType::gaussian) {
    if (world.distributed())
      throw UsageError(fmt::format("learner.type: gaussian fits in one process; run it without a launcher (this is "
                                   "rank {} of {})", world.rank(), world.size()));
    const auto* gaussian = dynamic_cast<const GaussianSource*>(real.points());
    if (!gaussian) throw UsageError(fmt::format("learner.type: gaussian needs data.source: gaussian, got '{}'", config.data.source));
    return std::make_unique<GaussianLearner>(*gaussian, config.learner.replicas, device);
  }
  if (const auto* points = real.points())
    return std::make_unique<DiffusionLearner>(config, std::vector<std::int64_t>{points->dim()}, 0,
                                              std::make_unique<PointEvaluator>(config, *points), device, world);
  const auto& images = dynamic_cast<const ImageSource&>(real);
  const auto& dataset = images.dataset();
  return std::make_unique<DiffusionLearner>(config, dataset.shape(), dataset.num_classes(),
                                            std::make_unique<ImageEvaluator>(config, images, std::move(extractor), cache_dir),
                                            device, world);
}

}  // namespace retrain
