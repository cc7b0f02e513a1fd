// TorchScriptExtractor: loading with readable errors, the optional return_features argument, and the
// grayscale-to-RGB repeat of StyleGAN2-ADA's metric code.
#include "retrain/features/torchscript_extractor.hpp"

#include <fmt/format.h>
#include <torch/script.h>

#include <algorithm>

#include "retrain/core/checksum.hpp"
#include "retrain/core/errors.hpp"

namespace retrain {
namespace {

constexpr const char* kReturnFeatures = "return_features";

torch::jit::Module load_module(const std::filesystem::path& file, torch::Device device) {
  if (!std::filesystem::is_regular_file(file))
    throw UsageError(fmt::format("TorchScript feature network '{}' does not exist or is not a file", file.string()));
  try {
    auto module = torch::jit::load(file.string(), device);
    module.eval();
    return module;
  } catch (const c10::Error& e) {
    throw UsageError(fmt::format("'{}' is not a loadable TorchScript file: {}", file.string(),
                                 e.what_without_backtrace()));
  }
}

bool forward_takes_return_features(const torch::jit::Module& module, const std::filesystem::path& file) {
  const auto forward = module.find_method("forward");
  if (!forward) throw UsageError(fmt::format("TorchScript file '{}' has no forward method", file.string()));
  const auto& arguments = forward->function().getSchema().arguments();
  return std::any_of(arguments.begin(), arguments.end(),
                     [](const c10::Argument& a) { return a.name() == kReturnFeatures; });
}

}  // namespace

TorchScriptExtractor::TorchScriptExtractor(std::filesystem::path file, ExtractorOptions options)
    : file_(std::move(file)),
      options_(options),
      module_(load_module(file_, options.device)),
      takes_return_features_(forward_takes_return_features(module_, file_)) {
  id_ = fmt::format("{}-{}", hex32(crc32_file(file_)), std::filesystem::file_size(file_));
}

torch::Tensor TorchScriptExtractor::features(const torch::Tensor& images) const {
  const auto source = fmt::format("TorchScript feature network '{}'", file_.string());
  if (images.dim() == 4 && images.size(1) != 1 && images.size(1) != 3)
    throw UsageError(fmt::format("{}: images have {} channels; expected 1 (repeated to RGB) or 3", source,
                                 images.size(1)));
  auto run = [&](const torch::Tensor& batch) {
    const auto rgb = batch.size(1) == 1 ? batch.repeat({1, 3, 1, 1}) : batch;
    torch::jit::Kwargs kwargs;
    if (takes_return_features_) kwargs.emplace(kReturnFeatures, true);
    torch::IValue out;
    try {
      out = module_.get_method("forward")({rgb}, kwargs);
    } catch (const c10::Error& e) {
      throw UsageError(fmt::format("{} failed on images {}: {}", source, c10::str(rgb.sizes()),
                                   e.what_without_backtrace()));
    }
    if (!out.isTensor())
      throw UsageError(fmt::format("{} returned a {}; expected a tensor", source, out.tagKind()));
    return out.toTensor();
  };
  auto result = features_in_batches(images, options_, source, run);
  feature_dim_ = result.size(1);
  return result;
}

std::string TorchScriptExtractor::describe() const {
  const auto dim = feature_dim_.load();
  return fmt::format("torchscript {} ({})", file_.filename().string(),
                     dim > 0 ? fmt::format("{} features", dim) : std::string("feature count known after the first batch"));
}

}  // namespace retrain
