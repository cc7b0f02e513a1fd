// Features from a classifier directory written by save_classifier: the ImageClassifier's penultimate
// activations for uint8 images (converted to x / 127.5 - 1, as in training).
#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include "retrain/features/batched_features.hpp"
#include "retrain/features/classifier.hpp"
#include "retrain/features/feature_extractor.hpp"

namespace retrain {

class ClassifierExtractor final : public FeatureExtractor {
 public:
  // Loads `dir` (see load_classifier for the errors) onto options.device.
  ClassifierExtractor(std::filesystem::path dir, ExtractorOptions options);

  // UsageError naming the directory when the images' [C, H, W] differ from the classifier's.
  torch::Tensor features(const torch::Tensor& images) const override;
  // CRC-32 of classifier.safetensors, 8 hex digits.
  std::string id() const override { return id_; }
  // "classifier <dir> (<feature_dim> features, test accuracy 0.912)".
  std::string describe() const override { return description_; }

 private:
  std::filesystem::path dir_;
  ExtractorOptions options_;
  std::shared_ptr<ImageClassifier> classifier_;
  std::string id_, description_;
};

}  // namespace retrain
