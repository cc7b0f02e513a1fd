// Algorithm 1 of paper 1 with paper 2's correction, generic over the learner and the data (points or
// images): generation 0 fits the real data; generation t samples floor(lambda*n) samples from model
// t-1 (one seed per sample, in shards), corrects them, stores them like real data, mixes them with the
// real data (fixed / none / fresh; replace / accumulate) and fine-tunes. Every generation is committed
// to the run directory, so run() continues from the newest complete one (and from the first missing
// shard of an interrupted sampling). On a World of several processes every rank runs the loop: each
// samples its stripe of the shards, the learner trains data-parallel and evaluates with every rank's
// samples, and rank 0 alone recovers, commits and writes the tables, between barriers.
#pragma once
#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "retrain/correction/correction.hpp"
#include "retrain/data/real_data.hpp"
#include "retrain/dist/world.hpp"
#include "retrain/learners/learner.hpp"
#include "retrain/loop/run_dir.hpp"

namespace retrain {

class GenerationManager {
 public:
  GenerationManager(RunDir& run, const RealData& real, Learner& learner, const Correction& correction,
                    torch::Device device, World world = {});
  // Runs generations until loop.generations; returns the metrics of the last evaluated generation.
  nlohmann::json run();

  // floor(lambda * n): synthetic samples drawn per generation.
  static std::int64_t synthetic_count(double lambda, std::int64_t n);

 private:
  bool evaluated(std::int64_t generation) const;
  // Trims metrics.jsonl and the learner's report to the committed generations and re-appends the rows
  // of committed generations that a crash kept from being written (they are appended after the commit).
  void reconcile_tables(std::int64_t latest);
  // Deletes sample shards and training snapshots that belong to no generation still to run (only
  // latest + 1's are reusable).
  void remove_stale_work(std::int64_t latest) const;
  void restore(std::int64_t latest);
  std::filesystem::path shard_dir(std::int64_t generation) const;     // gen_NNNN.samples/
  std::filesystem::path training_dir(std::int64_t generation) const;  // gen_NNNN.training/ (snapshots)
  // Samples, corrects and stores generation g's m synthetic samples, shard by shard.
  SampleSet synthesize(std::int64_t generation, std::int64_t m);
  SampleSet training_set(std::int64_t generation);
  // Generation 0: gen0.kimg images, from gen0.checkpoint if set; later: loop.kimg_per_generation
  // images from the current state, the optimizer reset when loop.optimizer is reset.
  FitPlan fit_plan(std::int64_t generation) const;
  nlohmann::json step(std::int64_t generation);

  RunDir& run_;
  const Config& cfg_;
  const RealData& real_;
  Learner& learner_;
  const Correction& correction_;
  torch::Device device_;
  World world_;
  SampleSet real_fixed_;
  std::vector<SampleSet> synthetic_;  // replace: the latest generation's; accumulate: all of them
};

}  // namespace retrain
