// A feature extractor for image metrics (FID, precision/recall, k-means in feature space): uint8
// images in, one feature vector per image out. Implementations: a TorchScript file (the StyleGAN2-ADA
// metric networks) or retrain's built-in classifier.
#pragma once
#include <torch/types.h>

#include <string>

namespace retrain {

class FeatureExtractor {
 public:
  virtual ~FeatureExtractor() = default;
  // images: uint8 [N, C, H, W] on the CPU, any N; features: float32 [N, D] on the CPU, computed in
  // batches on the extractor's device.
  virtual torch::Tensor features(const torch::Tensor& images) const = 0;
  // Identifies the extractor's weights (e.g. a hash of its file), for caching reference statistics.
  virtual std::string id() const = 0;
  // One line for logs, e.g. "torchscript inception-2015-12-05.pt (2048 features)".
  virtual std::string describe() const = 0;
};

}  // namespace retrain
