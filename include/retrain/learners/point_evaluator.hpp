// Evaluation of generated points: sliced W2, energy distance and mode statistics against as many
// fresh real points; samples.npy and density.png in the generation directory.
#pragma once
#include <cstdint>

#include "retrain/data/point_source.hpp"
#include "retrain/learners/sample_evaluator.hpp"

namespace retrain {

class PointEvaluator final : public SampleEvaluator {
 public:
  // projection_seed: the run seed, for sliced W2's random projections.
  PointEvaluator(std::uint64_t projection_seed, const PointSource& truth) : projection_seed_(projection_seed), truth_(truth) {}
  nlohmann::json evaluate(const SampleSet& generated, at::Generator& gen, const std::filesystem::path& out_dir) override;

 private:
  std::uint64_t projection_seed_;
  const PointSource& truth_;
};

}  // namespace retrain
