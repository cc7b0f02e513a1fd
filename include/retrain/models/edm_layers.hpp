// The primitive layers of NVlabs/edm's networks.py (Linear, Conv2d with FIR up/down resampling,
// GroupNorm) with its weight-init modes; parameter and buffer names follow the reference.
#pragma once
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

#include <vector>

namespace retrain {

enum class InitMode { xavier_uniform, xavier_normal, kaiming_uniform, kaiming_normal };

// How a layer draws its parameters: weight = init(mode) * weight_scale, bias = init(mode) * bias_scale.
struct LayerInit {
  InitMode mode = InitMode::kaiming_normal;
  double weight_scale = 1.0;
  double bias_scale = 0.0;
};

// A tensor of `shape` drawn from torch's global generator: xavier_uniform sqrt(6/(fi+fo)) U(-1,1),
// xavier_normal sqrt(2/(fi+fo)) N(0,1), kaiming_uniform sqrt(3/fi) U(-1,1), kaiming_normal sqrt(1/fi) N(0,1).
torch::Tensor init_weight(at::IntArrayRef shape, InitMode mode, double fan_in, double fan_out);

// y = x W^T + b. Names: weight [out, in], bias [out] (absent when bias = false).
class EdmLinearImpl : public torch::nn::Module {
 public:
  EdmLinearImpl(std::int64_t in_features, std::int64_t out_features, bool bias, const LayerInit& init);
  torch::Tensor forward(const torch::Tensor& x);
  std::int64_t in_features() const { return in_features_; }

 private:
  std::int64_t in_features_;
  torch::Tensor weight_, bias_;
};
TORCH_MODULE(EdmLinear);

struct EdmConv2dOptions {
  std::int64_t in_channels = 0;
  std::int64_t out_channels = 0;
  std::int64_t kernel = 3;  // 0 = no weight: a pure resampling layer
  bool bias = true;
  bool up = false;
  bool down = false;
  std::vector<double> resample_filter = {1, 1};  // 1-D taps; the buffer is their normalised outer product
  bool fused_resample = false;  // down only: convolve first (padded for both kernels), then filter
  LayerInit init;
};

// Same-padded convolution with optional 2x up/down resampling through the fixed `resample_filter`
// buffer [1, 1, k, k] (registered only when up or down). Names: weight, bias, resample_filter.
class EdmConv2dImpl : public torch::nn::Module {
 public:
  explicit EdmConv2dImpl(const EdmConv2dOptions& options);
  torch::Tensor forward(const torch::Tensor& x);
  const EdmConv2dOptions& options() const { return options_; }

 private:
  EdmConv2dOptions options_;
  torch::Tensor weight_, bias_, resample_filter_;
};
TORCH_MODULE(EdmConv2d);

// min(32, channels / 4): edm's rule that keeps at least four channels in a group.
std::int64_t edm_group_count(std::int64_t channels);

// Group normalisation with edm_group_count(channels) groups. Names: weight (ones), bias (zeros).
class EdmGroupNormImpl : public torch::nn::Module {
 public:
  EdmGroupNormImpl(std::int64_t channels, double eps);
  torch::Tensor forward(const torch::Tensor& x);
  std::int64_t num_groups() const { return num_groups_; }

 private:
  std::int64_t num_groups_;
  double eps_;
  torch::Tensor weight_, bias_;
};
TORCH_MODULE(EdmGroupNorm);

}  // namespace retrain
