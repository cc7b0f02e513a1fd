// The loop.* keys (Algorithm 1: generations, lambda, what real and synthetic data each generation
// trains on, the self-correction) and the gen0.* keys (generation 0's training). The member
// initialisers are the keys' defaults; the tables register them.
#pragma once
#include <cstdint>
#include <string>

#include "retrain/core/choices.hpp"
#include "retrain/core/options.hpp"
#include "retrain/correction/correction_options.hpp"

namespace retrain {

struct Gen0Options {
  double kimg = 100.0;                       // generation 0 training, thousands of images
  std::string checkpoint;                    // start from this checkpoint directory ("" = from scratch)
};

struct LoopOptions {
  std::int64_t generations = 10;             // T retraining generations after generation 0
  double kimg_per_generation = 50.0;         // diffusion: fine-tuning images per generation (thousands)
  double lambda = 1.0;                       // synthetic samples per generation = floor(lambda * n)
  RealMode real = RealMode::fixed;
  SyntheticMode synthetic = SyntheticMode::replace;
  SampleFrom sample_from = SampleFrom::ema;
  OptimizerHandover optimizer = OptimizerHandover::resume;
  std::int64_t shard_size = 5000;            // synthetic samples per shard file
  CorrectionOptions correction;
};

const OptionTable<Gen0Options>& gen0_option_table();
const OptionTable<LoopOptions>& loop_option_table();

}  // namespace retrain
