// NVlabs/edm's UNetBlock: GroupNorm-SiLU-Conv residual block conditioned on an embedding vector, with
// optional 2x resampling and single/multi-head self-attention (softmax in float32).
#pragma once
#include <optional>

#include "retrain/models/edm_layers.hpp"

namespace retrain {

struct UNetBlockOptions {
  std::int64_t in_channels = 0;
  std::int64_t out_channels = 0;
  std::int64_t emb_channels = 0;
  bool up = false;
  bool down = false;
  bool attention = false;
  std::int64_t num_heads = 0;  // 0 = out_channels / channels_per_head (attention only)
  std::int64_t channels_per_head = 64;
  double dropout = 0.0;
  double skip_scale = 1.0;
  double eps = 1e-5;
  std::vector<double> resample_filter = {1, 1};
  bool resample_proj = false;  // 1x1 skip projection even when only the resolution changes
  bool adaptive_scale = true;  // emb gives scale and shift (true) or a plain shift (false)
  LayerInit init;                             // conv0, affine, skip
  LayerInit init_zero{InitMode::kaiming_normal, 0.0, 0.0};  // conv1, proj
  std::optional<LayerInit> init_attn;         // qkv (defaults to init)
};

// Names: norm0, conv0, affine, norm1, conv1, [skip], [norm2, qkv, proj].
class UNetBlockImpl : public torch::nn::Module {
 public:
  explicit UNetBlockImpl(const UNetBlockOptions& options);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& emb);
  const UNetBlockOptions& options() const { return options_; }

 private:
  torch::Tensor attend(const torch::Tensor& x);

  UNetBlockOptions options_;
  std::int64_t num_heads_;
  EdmGroupNorm norm0_{nullptr}, norm1_{nullptr}, norm2_{nullptr};
  EdmConv2d conv0_{nullptr}, conv1_{nullptr}, skip_{nullptr}, qkv_{nullptr}, proj_{nullptr};
  EdmLinear affine_{nullptr};
};
TORCH_MODULE(UNetBlock);

}  // namespace retrain
