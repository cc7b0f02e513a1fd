// Evaluation of generated images: a grid picture, and, with a feature extractor, FID, precision,
// recall, density and coverage against the whole real data set (its features cached per data set and
// extractor in the run's cache directory).
#pragma once
#include <memory>
#include <optional>

#include "retrain/core/config.hpp"
#include "retrain/data/image_source.hpp"
#include "retrain/features/feature_extractor.hpp"
#include "retrain/learners/sample_evaluator.hpp"
#include "retrain/metrics/fid.hpp"

namespace retrain {

class ImageEvaluator final : public SampleEvaluator {
 public:
  // `extractor` may be null (then only the grid is written); `cache_dir` empty = no feature cache.
  ImageEvaluator(const Config& config, const ImageSource& real, std::shared_ptr<const FeatureExtractor> extractor,
                 std::filesystem::path cache_dir);
  // fid, precision, recall, density, coverage (k = eval.k; the precision/recall reference is a seeded
  // subset of the real features as large as the generated set), plus grid.png.
  nlohmann::json evaluate(const SampleSet& generated, at::Generator& gen, const std::filesystem::path& out_dir) override;

 private:
  const Config& config_;
  const ImageSource& real_;
  std::shared_ptr<const FeatureExtractor> extractor_;
  std::filesystem::path cache_dir_;
  torch::Tensor real_features_;             // loaded on first use
  std::optional<FeatureStats> real_stats_;
};

}  // namespace retrain
