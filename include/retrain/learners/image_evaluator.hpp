// Evaluation of generated images: a grid picture, and, with a feature extractor, FID, precision,
// recall, density and coverage against the real set (reference features cached per data set and
// extractor in the run directory).
#pragma once
#include <memory>

#include "retrain/core/config.hpp"
#include "retrain/data/image_source.hpp"
#include "retrain/features/feature_extractor.hpp"
#include "retrain/learners/sample_evaluator.hpp"

namespace retrain {

class ImageEvaluator final : public SampleEvaluator {
 public:
  // `extractor` may be null (then only the grid is written).
  ImageEvaluator(const Config& config, const ImageSource& real, std::shared_ptr<const FeatureExtractor> extractor);
  nlohmann::json evaluate(const SampleSet& generated, at::Generator& gen, const std::filesystem::path& out_dir) override;

 private:
  const Config& config_;
  const ImageSource& real_;
  std::shared_ptr<const FeatureExtractor> extractor_;
};

}  // namespace retrain
