// Feature inputs: .npy matrices are loaded and checked; every other kind of input is refused by name.
#include "retrain/metrics/feature_input.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "retrain/core/errors.hpp"
#include "retrain/core/npy.hpp"

namespace retrain {

namespace {

torch::Tensor load_feature_npy(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw UsageError(fmt::format("feature file '{}' does not exist", path.string()));
  torch::Tensor features;
  try {
    features = load_npy(path);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());  // names the file and what is wrong with it
  }
  if (features.dim() != 2 || features.size(0) == 0 || features.size(1) == 0)
    throw UsageError(fmt::format("feature file '{}' holds shape {}; expected a non-empty [N, D] matrix",
                                 path.string(), c10::str(features.sizes())));
  if (features.scalar_type() != torch::kFloat32 && features.scalar_type() != torch::kFloat64)
    throw UsageError(fmt::format("feature file '{}' holds {} values; expected float32 or float64 features", path.string(),
                                 c10::toString(features.scalar_type())));
  return features;
}

}  // namespace

torch::Tensor load_feature_input(const std::string& spec) {
  const std::filesystem::path path(spec);
  if (path.extension() == ".npy") return load_feature_npy(path);
  throw UsageError(fmt::format("'{}' is not a .npy feature matrix; image folders, archives and configs need a feature "
                               "extractor, which `retrain metrics` does not have yet: pass [N, D] .npy feature files",
                               spec));
}

}  // namespace retrain
