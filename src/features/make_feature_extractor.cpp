// make_feature_extractor: tells a classifier directory from a TorchScript file by what is on disk.
#include "retrain/features/make_feature_extractor.hpp"

#include <fmt/format.h>

#include <filesystem>

#include "retrain/core/errors.hpp"
#include "retrain/features/classifier_extractor.hpp"
#include "retrain/features/classifier_store.hpp"
#include "retrain/features/torchscript_extractor.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

bool is_torchscript_name(const fs::path& path) {
  const auto ext = path.extension().string();
  return ext == ".pt" || ext == ".pth" || ext == ".zip";
}

}  // namespace

std::unique_ptr<FeatureExtractor> make_feature_extractor(const std::string& spec, torch::Device device,
                                                         std::int64_t batch_size) {
  const ExtractorOptions options{device, batch_size};
  const fs::path path(spec);
  if (fs::is_directory(path) && fs::exists(path / kClassifierInfoFile))
    return std::make_unique<ClassifierExtractor>(path, options);
  if (fs::is_regular_file(path) && is_torchscript_name(path))
    return std::make_unique<TorchScriptExtractor>(path, options);
  const char* found = !fs::exists(path)        ? "does not exist"
                      : fs::is_directory(path) ? "is a directory without classifier.json"
                                               : "is not a .pt, .pth or .zip file";
  throw UsageError(fmt::format("feature network '{}' {}; expected a classifier directory (holding {} and {}, "
                               "written by retrain's classifier training) or a TorchScript file (.pt, .pth, .zip)",
                               spec, found, kClassifierInfoFile, kClassifierWeightsFile));
}

}  // namespace retrain
