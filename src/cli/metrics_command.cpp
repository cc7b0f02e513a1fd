// `retrain metrics A B [--extractor SPEC] [--max N] [--device D] [--config FILE] [--k 3] [--out FILE.json]`:
// FID, precision, recall, density and coverage of B against the reference (real) set A; one line per
// metric, JSON with --out. A checkpoint input is sampled (seeds 0 .. N-1) with the config of its run or
// --config.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "retrain/core/atomic_file.hpp"
#include "retrain/core/device.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/features/make_feature_extractor.hpp"
#include "retrain/learners/feature_input.hpp"
#include "retrain/metrics/fid.hpp"
#include "retrain/metrics/prdc.hpp"

namespace retrain::cli {

int metrics_command(const MetricsOptions& options) {
  if (options.max_images < 0)
    throw UsageError(fmt::format("--max must be >= 0 (0 = every image), got {}", options.max_images));
  std::unique_ptr<FeatureExtractor> extractor;
  if (options.extractor) extractor = make_feature_extractor(*options.extractor, resolve_device(options.device));
  CheckpointInputOptions checkpoint;
  if (options.config) checkpoint.config = *options.config;
  checkpoint.device = options.device;
  const auto reference = load_feature_input(options.reference, extractor.get(), options.max_images, checkpoint);
  const auto candidate = load_feature_input(options.candidate, extractor.get(), options.max_images, checkpoint);
  if (reference.size(1) != candidate.size(1))
    throw UsageError(fmt::format("'{}' has {} features per row and '{}' has {}; they must match", options.reference,
                                 reference.size(1), options.candidate, candidate.size(1)));
  Prdc prdc;
  try {
    prdc = precision_recall_density_coverage(reference, candidate, {.k = options.k});
  } catch (const UsageError& e) {  // its "real"/"fake" are A and B here
    throw UsageError(fmt::format("metrics of B '{}' against A '{}': {}", options.candidate, options.reference, e.what()));
  }
  const nlohmann::ordered_json result = {
      {"fid", fid(feature_stats(reference), feature_stats(candidate))},
      {"precision", prdc.precision},
      {"recall", prdc.recall},
      {"density", prdc.density},
      {"coverage", prdc.coverage},
      {"n_a", reference.size(0)},
      {"n_b", candidate.size(0)},
      {"dim", reference.size(1)},
      {"k", options.k},
  };
  for (const char* metric : {"fid", "precision", "recall", "density", "coverage"})
    std::cout << fmt::format("{}: {:.6f}\n", metric, result[metric].get<double>());
  if (options.out) {
    try {
      write_file_atomic(*options.out, result.dump(2) + "\n");
    } catch (const std::runtime_error& e) {
      throw UsageError(fmt::format("cannot write --out '{}': {}", *options.out, e.what()));
    }
  }
  return 0;
}

}  // namespace retrain::cli
