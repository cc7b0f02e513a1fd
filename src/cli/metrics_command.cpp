// `retrain metrics A [B] [--extractor SPEC] [--max N] [--device D] [--config FILE] [--k 3] [--out FILE.json]
// [--save-stats FILE.npz]`: FID, precision, recall, density and coverage of B against the reference (real)
// set A; one line per metric, JSON with --out. A checkpoint input is sampled (seeds 0 .. N-1) with the
// config of its run, its own config.yaml or --config. An .npz of statistics (mu, sigma, as EDM's fid.py ref
// and pytorch-fid write them) takes part in FID only. --save-stats writes A's statistics; B may then be
// left out.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <iostream>
#include <memory>

#include "commands.hpp"
#include "retrain/core/atomic_file.hpp"
#include "retrain/core/device.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/features/make_feature_extractor.hpp"
#include "retrain/loop/feature_input.hpp"
#include "retrain/metrics/fid.hpp"
#include "retrain/metrics/prdc.hpp"

namespace retrain::cli {
namespace {

nlohmann::json count_of(const FeatureStats& stats) {
  return stats.count == FeatureStats::kUnknownCount ? nlohmann::json(nullptr) : nlohmann::json(stats.count);
}

void save_stats(const std::string& file, const FeatureStats& stats, const std::string& input) {
  if (std::filesystem::path(file).extension() != ".npz")
    throw UsageError(fmt::format("--save-stats '{}': expected an .npz file name", file));
  try {
    save_reference_stats(file, stats);
  } catch (const std::runtime_error& e) {
    throw UsageError(fmt::format("--save-stats: {}", e.what()));
  }
  std::cout << fmt::format("statistics of '{}' ({} features{}) written to {}\n", input, stats.mean.size(0),
                           stats.count == FeatureStats::kUnknownCount ? "" : fmt::format(", {} vectors", stats.count),
                           file)
            << std::flush;
}

}  // namespace

int metrics_command(const MetricsOptions& options) {
  if (options.max_images < 0)
    throw UsageError(fmt::format("--max must be >= 0 (0 = every image), got {}", options.max_images));
  if (options.candidate.empty() && !options.save_stats)
    throw UsageError("metrics: B is missing; give the set to evaluate against A, or --save-stats FILE.npz to only "
                     "write A's statistics");
  std::unique_ptr<FeatureExtractor> extractor;
  if (options.extractor) extractor = make_feature_extractor(*options.extractor, resolve_device(options.device));
  CheckpointInputOptions checkpoint;
  if (options.config) checkpoint.config = *options.config;
  checkpoint.device = options.device;
  const auto reference = load_feature_set(options.reference, extractor.get(), options.max_images, checkpoint);
  if (options.save_stats) save_stats(*options.save_stats, reference.stats, options.reference);
  if (options.candidate.empty()) return 0;
  const auto candidate = load_feature_set(options.candidate, extractor.get(), options.max_images, checkpoint);
  const auto dim_a = reference.stats.mean.size(0), dim_b = candidate.stats.mean.size(0);
  if (dim_a != dim_b)
    throw UsageError(fmt::format("'{}' has {} features per row and '{}' has {}; they must match", options.reference,
                                 dim_a, options.candidate, dim_b));
  nlohmann::ordered_json result = {{"fid", fid(reference.stats, candidate.stats)}};
  std::vector<const char*> printed{"fid"};
  const bool features = reference.features.defined() && candidate.features.defined();
  if (features) {
    Prdc prdc;
    try {
      prdc = precision_recall_density_coverage(reference.features, candidate.features, {.k = options.k});
    } catch (const UsageError& e) {  // its "real"/"fake" are A and B here
      throw UsageError(fmt::format("metrics of B '{}' against A '{}': {}", options.candidate, options.reference, e.what()));
    }
    result["precision"] = prdc.precision;
    result["recall"] = prdc.recall;
    result["density"] = prdc.density;
    result["coverage"] = prdc.coverage;
    printed.insert(printed.end(), {"precision", "recall", "density", "coverage"});
  } else {
    spdlog::info("precision, recall, density and coverage need the features of both sets; '{}' holds statistics only",
                 reference.features.defined() ? options.candidate : options.reference);
  }
  result["n_a"] = count_of(reference.stats);
  result["n_b"] = count_of(candidate.stats);
  result["dim"] = dim_a;
  if (features) result["k"] = options.k;
  for (const char* metric : printed) std::cout << fmt::format("{}: {:.6f}\n", metric, result[metric].get<double>());
  std::cout << std::flush;
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
