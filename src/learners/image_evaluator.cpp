// ImageEvaluator: grid.png, and feature metrics when an extractor is configured.
#include "retrain/learners/image_evaluator.hpp"

#include "retrain/metrics/prdc.hpp"
#include "retrain/metrics/reference_features.hpp"
#include "retrain/plots/image_grid.hpp"
#include "retrain/plots/png.hpp"

namespace retrain {

ImageEvaluator::ImageEvaluator(const Config& config, const ImageSource& real,
                               std::shared_ptr<const FeatureExtractor> extractor, std::filesystem::path cache_dir)
    : config_(config), real_(real), extractor_(std::move(extractor)), cache_dir_(std::move(cache_dir)) {}

nlohmann::json ImageEvaluator::evaluate(const SampleSet& generated, at::Generator& gen, const std::filesystem::path& out_dir) {
  nlohmann::json m = nlohmann::json::object();
  const auto n = generated.x.size(0);
  const auto shown = std::min<std::int64_t>(config_.eval.grid, n);
  if (shown > 0) write_png(out_dir / "grid.png", image_grid(generated.x.narrow(0, 0, shown)));
  if (!extractor_) return m;
  if (!real_features_.defined()) {
    real_features_ = reference_features(real_.dataset().images(), *extractor_, cache_dir_);
    real_stats_ = feature_stats(real_features_);
  }
  const auto fake = extractor_->features(generated.x);
  m["fid"] = fid(*real_stats_, feature_stats(fake));
  auto reference = real_features_;
  if (reference.size(0) > n) reference = reference.index_select(0, torch::randperm(reference.size(0), gen, torch::kLong).narrow(0, 0, n));
  PrdcOptions options;
  options.k = config_.eval.k;
  const auto prdc = precision_recall_density_coverage(reference, fake, options);
  m["precision"] = prdc.precision;
  m["recall"] = prdc.recall;
  m["density"] = prdc.density;
  m["coverage"] = prdc.coverage;
  return m;
}

}  // namespace retrain
