// Fused per-sample affine mix out[i] = a[i] * x[i] + b[i] * y[i]: the forward (noising) process of
// every method (DDPM: sqrt(abar) x0 + sqrt(1-abar) eps; EDM: x0 + sigma n; flow matching:
// (1-t) x0 + t x1). One CUDA kernel on GPU tensors, ATen ops on CPU.
#pragma once
#include <torch/types.h>

#include "retrain/ops/op_path.hpp"

namespace retrain::ops {

// x, y: [N, ...] same shape/dtype/device; a, b: [N] (any floating dtype, same device).
torch::Tensor affine_mix(const torch::Tensor& x, const torch::Tensor& a, const torch::Tensor& y, const torch::Tensor& b);

namespace detail {
// Implemented in kernels/affine_mix.cu (CUDA builds only).
torch::Tensor affine_mix_cuda(const torch::Tensor& x, const torch::Tensor& a, const torch::Tensor& y,
                              const torch::Tensor& b);
}  // namespace detail

}  // namespace retrain::ops
