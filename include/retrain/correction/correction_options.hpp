// The loop.correction.* keys: which self-correction pi_gamma is applied to synthetic samples before
// they are mixed, and its strength. The member initialisers are the keys' defaults;
// correction_option_table() registers them.
#pragma once
#include <cstdint>
#include <string>

#include "retrain/core/choices.hpp"
#include "retrain/core/options.hpp"

namespace retrain {

struct CorrectionOptions {
  CorrectionType type = CorrectionType::none;
  double gamma = 0.0;                        // oracle_mixture: pi_gamma strength
  double strength = 1.0;                     // nearest_mode, kmeans: how far toward the centre, in [0, 1]
  std::int64_t k = 16;                       // kmeans: clusters (per class when labelled)
  CorrectionSpace space = CorrectionSpace::pixel;  // kmeans
  std::string module;                        // torchscript: the module file
  std::int64_t batch = 256;                  // torchscript: images per module call
};

const OptionTable<CorrectionOptions>& correction_option_table();

// The rules between correction keys (gamma only with a correction, a torchscript module file);
// UsageError naming the values.
void validate(const CorrectionOptions& options);

}  // namespace retrain
