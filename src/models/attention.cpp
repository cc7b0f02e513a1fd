// channel_attention through at::scaled_dot_product_attention, which wants [batch, positions, features].
#include "retrain/models/attention.hpp"

#include <ATen/ops/scaled_dot_product_attention.h>

namespace retrain {

torch::Tensor channel_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  return at::scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)).transpose(1, 2);
}

}  // namespace retrain
