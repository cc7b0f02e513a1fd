// learner.type -> Learner, with the evaluator that fits the data.
#include "retrain/loop/make_learner.hpp"

#include <fmt/format.h>

#include "retrain/core/errors.hpp"
#include "retrain/data/image_source.hpp"
#include "retrain/learners/diffusion_learner.hpp"
#include "retrain/learners/gaussian_learner.hpp"
#include "retrain/learners/image_evaluator.hpp"
#include "retrain/learners/point_evaluator.hpp"

namespace retrain {
namespace {

DiffusionLearnerOptions diffusion_options(const Config& c) {
  return {.seed = c.seed,
          .model = c.model,
          .method = c.method,
          .train = c.train,
          .sample_from = c.loop.sample_from,
          .eval_samples = c.eval.num_samples > 0 ? c.eval.num_samples : c.data.n};
}

}  // namespace

std::unique_ptr<Learner> make_learner(const Config& config, const RealData& real, torch::Device device,
                                      std::shared_ptr<const FeatureExtractor> extractor,
                                      const std::filesystem::path& cache_dir, const World& world) {
  validate(config.learner);
  if (config.learner.type == LearnerType::gaussian) {
    if (world.distributed())
      throw UsageError(fmt::format("learner.type: gaussian fits in one process; run it without a launcher (this is "
                                   "rank {} of {})", world.rank(), world.size()));
    const auto* gaussian = dynamic_cast<const GaussianSource*>(real.points());
    TORCH_CHECK(gaussian, "make_learner: a Gaussian learner on ", real.describe(), " (validate(Config) refuses this)");
    return std::make_unique<GaussianLearner>(*gaussian, config.learner.replicas, device);
  }
  if (const auto* points = real.points())
    return std::make_unique<DiffusionLearner>(diffusion_options(config), std::vector<std::int64_t>{points->dim()}, 0,
                                              std::make_unique<PointEvaluator>(config.seed, *points), device, world);
  const auto& images = dynamic_cast<const ImageSource&>(real);
  const auto& dataset = images.dataset();
  auto evaluator = std::make_unique<ImageEvaluator>(config.eval, images, RealDraw{config.seed, config.data.n},
                                                    std::move(extractor), cache_dir);
  return std::make_unique<DiffusionLearner>(diffusion_options(config), dataset.shape(), dataset.num_classes(),
                                            std::move(evaluator), device, world);
}

}  // namespace retrain
