// ImageClassifier: the layer stack, seeded initialisation and the shape check on its input.
#include "retrain/features/classifier.hpp"

#include <fmt/format.h>
#include <torch/nn/functional/pooling.h>

#include <cmath>

#include "retrain/core/errors.hpp"
#include "retrain/core/require.hpp"

namespace retrain {
namespace {

// Side length after two 2x2 max-pools (floor, like the pooling itself).
std::int64_t pooled(std::int64_t resolution) { return resolution / 2 / 2; }

}  // namespace

ImageClassifier::ImageClassifier(const ClassifierArchitecture& architecture) : architecture_(architecture) {
  require(architecture.channels >= 1, "image classifier", "channels", architecture.channels, ">= 1");
  require(architecture.resolution >= 4, "image classifier", "resolution", architecture.resolution, ">= 4");
  require(architecture.num_classes >= 1, "image classifier", "num_classes", architecture.num_classes, ">= 1");
  require(architecture.feature_dim >= 1, "image classifier", "feature_dim", architecture.feature_dim, ">= 1");
  const auto conv = [](std::int64_t in, std::int64_t out) {
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1));
  };
  conv1_ = register_module("conv1", conv(architecture.channels, 32));
  conv2_ = register_module("conv2", conv(32, 64));
  const auto side = pooled(architecture.resolution);
  fc_features_ = register_module("fc_features", torch::nn::Linear(64 * side * side, architecture.feature_dim));
  fc_classes_ = register_module("fc_classes", torch::nn::Linear(architecture.feature_dim, architecture.num_classes));
}

void ImageClassifier::reset_parameters(at::Generator& gen) {
  torch::NoGradGuard no_grad;
  for (auto* layer : std::initializer_list<torch::nn::Module*>{conv1_.get(), conv2_.get(), fc_features_.get(),
                                                               fc_classes_.get()}) {
    auto weight = layer->named_parameters(false)["weight"];
    const double bound = 1.0 / std::sqrt(static_cast<double>(weight[0].numel()));  // fan_in
    for (auto& p : layer->parameters(false)) {
      auto drawn = torch::empty(p.sizes(), torch::kFloat32).uniform_(-bound, bound, gen);
      p.copy_(drawn);
    }
  }
}

torch::Tensor ImageClassifier::features(const torch::Tensor& images) {
  const auto& a = architecture_;
  TORCH_CHECK(images.dim() == 4 && images.size(1) == a.channels && images.size(2) == a.resolution &&
                  images.size(3) == a.resolution,
              "ImageClassifier expects images [B, ", a.channels, ", ", a.resolution, ", ", a.resolution, "], got ",
              images.sizes());
  namespace F = torch::nn::functional;
  auto h = F::max_pool2d(torch::relu(conv1_(images)), F::MaxPool2dFuncOptions(2));
  h = F::max_pool2d(torch::relu(conv2_(h)), F::MaxPool2dFuncOptions(2));
  return torch::relu(fc_features_(h.flatten(1)));
}

torch::Tensor ImageClassifier::classify(const torch::Tensor& features) { return fc_classes_(features); }

}  // namespace retrain
