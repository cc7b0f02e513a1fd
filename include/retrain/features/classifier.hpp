// ImageClassifier: retrain's built-in small CNN for C x H x W images in [-1, 1]; its penultimate
// activations are the features for image metrics on data sets without a standard metric network.
#pragma once
#include <ATen/core/Generator.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include <cstdint>

namespace retrain {

struct ClassifierArchitecture {
  std::int64_t channels = 1;
  std::int64_t resolution = 28;  // images are resolution x resolution
  std::int64_t num_classes = 10;
  std::int64_t feature_dim = 128;
};

// conv3x3(32) - ReLU - maxpool2 - conv3x3(64) - ReLU - maxpool2 - flatten - linear(feature_dim) - ReLU
// gives features(); classify() maps them to logits with one more linear layer. State-dict names:
// conv1, conv2, fc_features, fc_classes. Dropout is the training loop's business.
class ImageClassifier : public torch::nn::Module {
 public:
  // UsageError naming the bad field for channels, num_classes or feature_dim < 1, resolution < 4.
  explicit ImageClassifier(const ClassifierArchitecture& architecture);

  // Redraws every weight and bias uniformly in +-1/sqrt(fan_in) (LibTorch's default range) from `gen`
  // (a CPU generator), so training from a seed is reproducible.
  void reset_parameters(at::Generator& gen);

  // images float [B, C, H, W] in [-1, 1] -> [B, feature_dim] (non-negative, after the ReLU).
  torch::Tensor features(const torch::Tensor& images);
  // features [B, feature_dim] -> logits [B, num_classes].
  torch::Tensor classify(const torch::Tensor& features);
  torch::Tensor forward(const torch::Tensor& images) { return classify(features(images)); }

  const ClassifierArchitecture& architecture() const { return architecture_; }

 private:
  ClassifierArchitecture architecture_;
  torch::nn::Conv2d conv1_{nullptr}, conv2_{nullptr};
  torch::nn::Linear fc_features_{nullptr}, fc_classes_{nullptr};
};

}  // namespace retrain
