// Evaluation of generated points: sliced W2, energy distance and mode statistics against as many
// fresh real points; samples.npy and density.png in the generation directory.
#pragma once
#include "retrain/core/config.hpp"
#include "retrain/data/point_source.hpp"
#include "retrain/learners/sample_evaluator.hpp"

namespace retrain {

class PointEvaluator final : public SampleEvaluator {
 public:
  PointEvaluator(const Config& config, const PointSource& truth) : config_(config), truth_(truth) {}
  nlohmann::json evaluate(const SampleSet& generated, at::Generator& gen, const std::filesystem::path& out_dir) override;

 private:
  const Config& config_;
  const PointSource& truth_;
};

}  // namespace retrain
