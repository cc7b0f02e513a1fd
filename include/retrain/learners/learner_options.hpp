// The learner.* keys (which generative model) and the eval.* keys (how each generation is measured).
// The member initialisers are the keys' defaults; the tables register them.
#pragma once
#include <cstdint>
#include <string>

#include "retrain/core/choices.hpp"
#include "retrain/core/options.hpp"

namespace retrain {

struct LearnerOptions {
  LearnerType type = LearnerType::gaussian;
  std::int64_t replicas = 1;                 // independent chains run side by side (gaussian)
};

struct EvalOptions {
  std::int64_t every = 1;                    // evaluate every k-th generation (0 and T always)
  std::int64_t num_samples = 0;              // diffusion: samples per evaluation; 0 = data.n
  std::string extractor;                     // image: feature extractor (TorchScript file or classifier dir)
  std::string reference_stats;               // image: FID against these .npz statistics (mu, sigma); "" = the real set's
  std::int64_t k = 3;                        // image: neighbours for precision/recall/density/coverage
  std::int64_t grid = 64;                    // image: samples in each generation's grid.png
  std::int64_t batch = 256;                  // image: images per feature-extractor call
};

const OptionTable<LearnerOptions>& learner_option_table();
const OptionTable<EvalOptions>& eval_option_table();

// UsageError naming the values: the diffusion learner runs one replica.
void validate(const LearnerOptions& options);
// UsageError naming the values: reference statistics need the extractor they summarise.
void validate(const EvalOptions& options);

}  // namespace retrain
