// Counter-based noise (Philox4x32-10, kernels/philox.cuh): element e of row n of draw d is a function
// of (keys[n], d, e) alone, so a sample's noise never depends on its batch, shard or device, no
// generator state has to be kept, and CUDA tensors are filled on the GPU (no host copy). The values
// are bit-identical on CPU and CUDA. These ops make random numbers and are never differentiated.
#pragma once
#include <torch/types.h>

#include <cstdint>

namespace retrain::ops {

// Standard normals of `shape` ([N, ...], contiguous) in options' dtype and device; row n from keys[n]
// (int64 [N], any device).
torch::Tensor philox_normal(const torch::Tensor& keys, std::uint32_t draw, at::IntArrayRef shape,
                            const torch::TensorOptions& options);
// Uniform numbers in [0, 1), float64 [N] on the CPU, one per key.
torch::Tensor philox_uniform(const torch::Tensor& keys, std::uint32_t draw);
// Keys base, base + 1, ..., base + n - 1 on `device` (distinct rows of one training batch; the kernels
// mix every key before use, so consecutive keys give unrelated streams).
torch::Tensor consecutive_keys(std::uint64_t base, std::int64_t n, torch::Device device);

}  // namespace retrain::ops
