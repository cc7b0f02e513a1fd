// channel_attention through at::scaled_dot_product_attention on [batch, heads = 1, positions, features].
#include "retrain/models/attention.hpp"

#include <ATen/ops/scaled_dot_product_attention.h>

namespace retrain {

torch::Tensor sdpa_layout(const torch::Tensor& channels_by_positions) {
  TORCH_CHECK(channels_by_positions.dim() == 3, "channel_attention: q, k, v must be [N, C, L], got ",
              channels_by_positions.sizes());
  return channels_by_positions.transpose(1, 2).unsqueeze(1).contiguous();
}

torch::Tensor channel_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  return at::scaled_dot_product_attention(sdpa_layout(q), sdpa_layout(k), sdpa_layout(v)).squeeze(1).transpose(1, 2);
}

}  // namespace retrain
