// reference_features: fingerprint, cache file, compute on a miss.
#include "retrain/features/reference_features.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "retrain/core/checksum.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/safetensors.hpp"

namespace retrain {

std::string image_fingerprint(const torch::Tensor& images) {
  const auto bytes = images.contiguous().cpu();
  const std::string_view view(static_cast<const char*>(bytes.data_ptr()), bytes.numel() * bytes.element_size());
  return fmt::format("{}x{}", hex32(crc32_bytes(view)), images.size(0));
}

torch::Tensor reference_features(const torch::Tensor& images, const FeatureExtractor& extractor,
                                 const std::filesystem::path& cache_dir) {
  if (cache_dir.empty()) return extractor.features(images);
  const auto file = cache_dir / fmt::format("features-{}-{}.safetensors", image_fingerprint(images), extractor.id());
  if (std::filesystem::exists(file)) {
    try {
      return require_tensor(load_safetensors(file), "features", file);
    } catch (const std::exception& e) {
      spdlog::warn("feature cache {} is unreadable ({}); computing again", file.string(), e.what());
    }
  }
  spdlog::info("computing reference features of {} real images with {}", images.size(0), extractor.describe());
  auto features = extractor.features(images);
  std::filesystem::create_directories(cache_dir);
  save_safetensors(file, {{"features", features}});
  return features;
}

}  // namespace retrain
