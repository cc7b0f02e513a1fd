// ClassifierExtractor: a loaded classifier directory behind the FeatureExtractor interface.
#include "retrain/features/classifier_extractor.hpp"

#include <fmt/format.h>

#include "retrain/core/checksum.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/features/classifier_store.hpp"

namespace retrain {

ClassifierExtractor::ClassifierExtractor(std::filesystem::path dir, ExtractorOptions options)
    : dir_(std::move(dir)), options_(options) {
  auto loaded = load_classifier(dir_, options.device);
  classifier_ = std::move(loaded.classifier);
  id_ = hex32(loaded.weights_crc32);
  description_ = fmt::format("classifier {} ({} features, test accuracy {:.3f})", dir_.string(),
                             classifier_->architecture().feature_dim, loaded.stats.test_accuracy);
}

torch::Tensor ClassifierExtractor::features(const torch::Tensor& images) const {
  const auto source = fmt::format("classifier '{}'", dir_.string());
  const auto& a = classifier_->architecture();
  if (images.dim() == 4 &&
      (images.size(1) != a.channels || images.size(2) != a.resolution || images.size(3) != a.resolution))
    throw UsageError(fmt::format("{} was trained on {}x{}x{} images, got {}x{}x{}", source, a.channels, a.resolution,
                                 a.resolution, images.size(1), images.size(2), images.size(3)));
  return features_in_batches(images, options_, source, [&](const torch::Tensor& batch) {
    return classifier_->features(batch.to(torch::kFloat32) / 127.5 - 1.0);
  });
}

}  // namespace retrain
