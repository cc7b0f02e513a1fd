// EDM's Linear, Conv2d (plain, resampling, fused down-sampling) and GroupNorm layers and their init.
#include "retrain/models/edm_layers.hpp"

#include <cmath>

namespace retrain {

torch::Tensor init_weight(at::IntArrayRef shape, InitMode mode, double fan_in, double fan_out) {
  switch (mode) {
    case InitMode::xavier_uniform: return std::sqrt(6.0 / (fan_in + fan_out)) * (torch::rand(shape) * 2 - 1);
    case InitMode::xavier_normal: return std::sqrt(2.0 / (fan_in + fan_out)) * torch::randn(shape);
    case InitMode::kaiming_uniform: return std::sqrt(3.0 / fan_in) * (torch::rand(shape) * 2 - 1);
    case InitMode::kaiming_normal: return std::sqrt(1.0 / fan_in) * torch::randn(shape);
  }
  TORCH_CHECK(false, "init_weight: unknown InitMode");
}

EdmLinearImpl::EdmLinearImpl(std::int64_t in_features, std::int64_t out_features, bool bias, const LayerInit& init)
    : in_features_(in_features) {
  const auto fi = static_cast<double>(in_features), fo = static_cast<double>(out_features);
  weight_ = register_parameter("weight", init_weight({out_features, in_features}, init.mode, fi, fo) * init.weight_scale);
  if (bias) bias_ = register_parameter("bias", init_weight({out_features}, init.mode, fi, fo) * init.bias_scale);
}

torch::Tensor EdmLinearImpl::forward(const torch::Tensor& x) {
  auto y = x.matmul(weight_.to(x.scalar_type()).t());
  return bias_.defined() ? y + bias_.to(x.scalar_type()) : y;
}

EdmConv2dImpl::EdmConv2dImpl(const EdmConv2dOptions& options) : options_(options) {
  TORCH_CHECK(!(options.up && options.down), "EdmConv2d: up and down are exclusive");
  // edm also has a fused up path, unused by its networks; as written there it does not double the size.
  TORCH_CHECK(!(options.fused_resample && options.up), "EdmConv2d: fused_resample supports down-sampling only");
  const auto k = options.kernel;
  const auto fi = static_cast<double>(options.in_channels * k * k), fo = static_cast<double>(options.out_channels * k * k);
  if (k > 0) {
    weight_ = register_parameter(
        "weight", init_weight({options.out_channels, options.in_channels, k, k}, options.init.mode, fi, fo) *
                      options.init.weight_scale);
    if (options.bias)
      bias_ = register_parameter("bias", init_weight({options.out_channels}, options.init.mode, fi, fo) *
                                             options.init.bias_scale);
  }
  if (options.up || options.down) {
    auto f = torch::tensor(options.resample_filter, torch::kFloat32);
    resample_filter_ = register_buffer("resample_filter", torch::outer(f, f).unsqueeze(0).unsqueeze(1) / f.sum().square());
  }
}

torch::Tensor EdmConv2dImpl::forward(const torch::Tensor& input) {
  const auto dtype = input.scalar_type();
  const auto w = weight_.defined() ? weight_.to(dtype) : torch::Tensor();
  const auto f = resample_filter_.defined() ? resample_filter_.to(dtype) : torch::Tensor();
  const auto w_pad = w.defined() ? w.size(-1) / 2 : 0;
  const auto f_pad = f.defined() ? (f.size(-1) - 1) / 2 : 0;
  const auto cin = options_.in_channels, cout = options_.out_channels;
  // The bias goes into the last convolution (one pass less over the output), or is added when the
  // layer has no convolution of its own.
  const auto b = bias_.defined() ? bias_.to(dtype) : torch::Tensor();
  torch::Tensor x = input;
  if (options_.fused_resample && options_.down && w.defined()) {
    // Convolve with the padding of both kernels, then filter and decimate the output channels.
    x = torch::conv2d(x, w, {}, 1, w_pad + f_pad);
    const std::vector<std::int64_t> no_padding = {0, 0};
    return torch::conv2d(x, f.tile({cout, 1, 1, 1}), b, 2, no_padding, 1, cout);
  }
  // Up: transposed depthwise convolution with 4 f, stride 2; down: depthwise with f, stride 2.
  if (options_.up) x = torch::conv_transpose2d(x, f.mul(4).tile({cin, 1, 1, 1}), {}, 2, f_pad, 0, cin);
  if (options_.down) x = torch::conv2d(x, f.tile({cin, 1, 1, 1}), {}, 2, f_pad, 1, cin);
  if (w.defined()) return torch::conv2d(x, w, b, 1, w_pad);
  return b.defined() ? x + b.reshape({1, -1, 1, 1}) : x;
}

std::int64_t edm_group_count(std::int64_t channels) { return std::min<std::int64_t>(32, channels / 4); }

EdmGroupNormImpl::EdmGroupNormImpl(std::int64_t channels, double eps) : num_groups_(edm_group_count(channels)), eps_(eps) {
  TORCH_CHECK(num_groups_ >= 1, "EdmGroupNorm needs at least 4 channels, got ", channels);
  weight_ = register_parameter("weight", torch::ones({channels}));
  bias_ = register_parameter("bias", torch::zeros({channels}));
}

torch::Tensor EdmGroupNormImpl::forward(const torch::Tensor& x) {
  return torch::group_norm(x, num_groups_, weight_.to(x.scalar_type()), bias_.to(x.scalar_type()), eps_);
}

}  // namespace retrain
