// Self-attention over the positions of a feature map, shared by both U-Nets: for q, k, v [N, C, L]
// (channels by positions; the U-Nets fold their heads into N) the output [N, C, L] is v weighted by
// softmax_k(q . k / sqrt(C)), computed by at::scaled_dot_product_attention on 4-D [N, 1, L, C] inputs,
// the only layout for which CUDA picks the flash / memory-efficient kernels (no L x L matrix kept for
// backward) over the math fallback.
#pragma once
#include <torch/types.h>

namespace retrain {

torch::Tensor channel_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v);

// [N, C, L] -> [N, 1, L, C], contiguous (the fused kernels need the last dimension dense): what
// channel_attention hands to SDPA, exposed so a GPU test can ask which backend SDPA picks for it.
torch::Tensor sdpa_layout(const torch::Tensor& channels_by_positions);

}  // namespace retrain
