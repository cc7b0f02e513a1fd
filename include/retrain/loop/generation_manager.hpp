// Algorithm 1 of paper 1 with paper 2's correction, generic over the learner: generation 0 fits the
// real data; generation t samples floor(lambda*n) points from model t-1, corrects them, mixes them with
// the real data (fixed / none / fresh; replace / accumulate) and fine-tunes. Every generation is
// committed to the run directory, so run() continues from the newest complete one.
#pragma once
#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "retrain/correction/correction.hpp"
#include "retrain/data/point_source.hpp"
#include "retrain/loop/learner.hpp"
#include "retrain/loop/run_dir.hpp"

namespace retrain {

class GenerationManager {
 public:
  GenerationManager(RunDir& run, const PointSource& source, Learner& learner, const Correction& correction,
                    torch::Device device);
  // Runs generations until loop.generations; returns the metrics of the last evaluated generation.
  nlohmann::json run();

  // floor(lambda * n): synthetic samples drawn per generation.
  static std::int64_t synthetic_count(double lambda, std::int64_t n);

 private:
  bool evaluated(std::int64_t generation) const;
  // Trims metrics.jsonl and the learner's report to the committed generations and re-appends the rows
  // of committed generations that a crash kept from being written (they are appended after the commit).
  void reconcile_tables(std::int64_t latest);
  void restore(std::int64_t latest);
  torch::Tensor training_set(std::int64_t generation);
  nlohmann::json step(std::int64_t generation);

  RunDir& run_;
  const Config& cfg_;
  const PointSource& source_;
  Learner& learner_;
  const Correction& correction_;
  torch::Device device_;
  torch::Tensor real_fixed_;
  std::vector<torch::Tensor> synthetic_;  // replace: the latest generation's; accumulate: all of them
};

}  // namespace retrain
