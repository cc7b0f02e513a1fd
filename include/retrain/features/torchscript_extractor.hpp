// Features from a TorchScript network called like the StyleGAN2-ADA metric networks
// (inception-2015-12-05.pt, vgg16.pt): uint8 RGB images in, forward(images, return_features=True).
#pragma once
#include <torch/csrc/jit/api/module.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "retrain/features/batched_features.hpp"
#include "retrain/features/feature_extractor.hpp"

namespace retrain {

class TorchScriptExtractor final : public FeatureExtractor {
 public:
  // Loads `file` onto options.device in eval mode. UsageError naming the file when it is missing or not
  // a TorchScript archive.
  TorchScriptExtractor(std::filesystem::path file, ExtractorOptions options);

  // Grayscale images [N, 1, H, W] are repeated to 3 channels; other channel counts than 1 and 3 are a
  // UsageError. The network gets return_features=True when its forward has that argument, else the
  // images alone; its output is flattened to [B, D].
  torch::Tensor features(const torch::Tensor& images) const override;
  // "<CRC-32 of the file bytes, 8 hex digits>-<file size in bytes>".
  std::string id() const override { return id_; }
  // "torchscript <file name> (<D> features)"; D is known once features() has run.
  std::string describe() const override;

 private:
  std::filesystem::path file_;
  ExtractorOptions options_;
  std::string id_;
  mutable torch::jit::Module module_;
  bool takes_return_features_;
  mutable std::atomic<std::int64_t> feature_dim_{0};
};

}  // namespace retrain
