// The learner.* and eval.* keys (learner_options.hpp) and the rules between them.
#include "retrain/learners/learner_options.hpp"

#include <fmt/format.h>

#include "retrain/core/errors.hpp"

namespace retrain {

using option_detail::kInf;

const OptionTable<LearnerOptions>& learner_option_table() {
  static const auto table = OptionTable<LearnerOptions>()
      .choice("learner.type", &LearnerOptions::type,
        "The generative model. gaussian: maximum-likelihood Gaussian (sample mean, 1/(n-1) covariance); "
        "diffusion: a denoiser network (model.arch) trained with method.type.")
      .number("learner.replicas", &LearnerOptions::replicas, 1, kInf,
        "gaussian: independent chains run side by side (vectorised); metrics report their mean and standard "
        "error. diffusion: must be 1.");
  return table;
}

const OptionTable<EvalOptions>& eval_option_table() {
  static const auto table = OptionTable<EvalOptions>()
      .number("eval.every", &EvalOptions::every, 1, kInf,
        "Evaluate every k-th generation; generation 0 and the last generation are always evaluated.")
      .number("eval.num_samples", &EvalOptions::num_samples, 0, kInf,
        "diffusion: samples drawn per evaluation (and compared with as many held-out real points); 0 = data.n.")
      .text("eval.extractor", &EvalOptions::extractor,
        "image: feature extractor for FID / precision / recall: a TorchScript file (inception-2015-12-05.pt) or a "
        "classifier directory from `retrain features train`; \"\" = no feature metrics.")
      .text("eval.reference_stats", &EvalOptions::reference_stats,
        "image: FID against the statistics in this .npz (mu, sigma; as NVlabs/edm's fid.py ref and pytorch-fid "
        "write "
        "them, e.g. EDM's cifar10-32x32.npz) instead of the real set's; they must come from eval.extractor's network. "
        "Precision / recall / density / coverage still use the real set. \"\" = the real set's statistics.")
      .number("eval.k", &EvalOptions::k, 1, kInf,
        "image: nearest neighbours for precision / recall / density / coverage.")
      .number("eval.grid", &EvalOptions::grid, 0, kInf,
        "image: samples shown in each evaluated generation's grid.png; 0 = no grid.")
      .number("eval.batch", &EvalOptions::batch, 1, kInf,
        "image: images per call of eval.extractor's network (memory vs speed; the features do not depend on it).");
  return table;
}

void validate(const LearnerOptions& o) {
  check_ranges(learner_option_table(), o, "learner");
  if (o.type == LearnerType::diffusion && o.replicas != 1)
    throw UsageError(fmt::format(
        "learner.replicas = {}: the diffusion learner runs one chain; set learner.replicas: 1 and "
                                 "repeat runs with different seeds", o.replicas));
}

void validate(const EvalOptions& o) {
  check_ranges(eval_option_table(), o, "evaluation");
  if (!o.reference_stats.empty() && o.extractor.empty())
    throw UsageError(fmt::format("eval.reference_stats = '{}' needs eval.extractor (the network whose features those "
                                 "statistics summarise, e.g. inception-2015-12-05.pt)", o.reference_stats));
}

}  // namespace retrain
