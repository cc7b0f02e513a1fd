// The loop.correction.* keys (correction_options.hpp) and the rules between them.
#include "retrain/correction/correction_options.hpp"

#include <fmt/format.h>

#include "retrain/core/errors.hpp"

namespace retrain {

using option_detail::kInf;

const OptionTable<CorrectionOptions>& correction_option_table() {
  static const auto table = OptionTable<CorrectionOptions>()
      .choice("loop.correction.type", &CorrectionOptions::type,
        "Self-correction pi_gamma applied to synthetic samples before mixing. oracle_mixture: each sample is "
        "replaced with probability gamma/(1+gamma) by a fresh draw from the true distribution (paper 2's mixture); "
        "nearest_mode: each point moves toward its nearest mode centre by loop.correction.strength; kmeans: each image "
        "moves toward its nearest k-means centroid of the real images (paper 2); torchscript: a user module.")
      .number("loop.correction.gamma", &CorrectionOptions::gamma, 0, kInf,
        "gamma: correction strength; 0 = no correction, larger = closer to the true distribution.")
      .number("loop.correction.strength", &CorrectionOptions::strength, 0, 1,
        "nearest_mode, kmeans: fraction of the way to the nearest centre (0 = identity, 1 = the centre).")
      .number("loop.correction.k", &CorrectionOptions::k, 1, kInf,
        "kmeans: clusters of the real images (per class when labelled; paper 2: 16).")
      .choice("loop.correction.space", &CorrectionOptions::space,
        "kmeans: cluster in pixel space (paper 2) or in eval.extractor's feature space.")
      .text("loop.correction.module", &CorrectionOptions::module,
        "torchscript: module file mapping images [B,C,H,W] in [-1,1] (and labels [B]) to corrected images.")
      .number("loop.correction.batch", &CorrectionOptions::batch, 1, kInf,
        "torchscript: images per call of the correction module (memory vs speed; results do not depend on it).");
  return table;
}

void validate(const CorrectionOptions& c) {
  check_ranges(correction_option_table(), c, "correction");
  if (c.type == CorrectionType::torchscript && c.module.empty())
    throw UsageError("loop.correction.type: torchscript needs loop.correction.module (the module file)");
  if (c.type == CorrectionType::none && c.gamma != 0)
    throw UsageError(fmt::format("loop.correction.gamma = {} has no effect with loop.correction.type: none; "
                                 "set loop.correction.type: oracle_mixture or gamma: 0", c.gamma));
}

}  // namespace retrain
