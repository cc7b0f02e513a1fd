// Self-attention over the positions of a feature map, shared by both U-Nets: for q, k, v [N, C, L]
// (channels by positions) the output [N, C, L] is v weighted by softmax_k(q . k / sqrt(C)), computed by
// at::scaled_dot_product_attention (flash / memory-efficient kernels on CUDA, no L x L matrix kept for
// backward), not by a materialised attention matrix.
#pragma once
#include <torch/types.h>

namespace retrain {

torch::Tensor channel_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

}  // namespace retrain
