// ops::combine: one pass computing out = sum_k c_k[n] x_k + c_noise[n] eps for per-sample coefficients,
// eps a counter-based standard normal (ops/philox_noise.hpp) made inside the kernel. It is the noising
// of every training loss (DDPM, EDM, flow matching) and the update of every sampler step (EDM
// Euler/Heun/churn, DDPM ancestral, DDIM), so those loops need no host noise and no temporaries.
// Differentiable in the data terms and their coefficients (the noise coefficient and keys are not).
// Runs retrain's kernel (a CPU loop, or CUDA in a build with the kernels) or the equivalent ATen
// expression, as ops::op_path() says (by default: the kernel on CUDA, ATen on the CPU); CUDA tensors in
// a build without the kernels always take ATen.
#pragma once
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "retrain/ops/op_path.hpp"

namespace retrain::ops {

// A data term: x [N, ...] times coef [N] (any floating dtype; computed in x's op-math type).
struct Term {
  torch::Tensor x;
  torch::Tensor coef;
};

// The noise term: row n's eps is the Philox stream (keys[n], draw) (int64 keys [N]); coef [N], or
// undefined for 1.
struct Noise {
  torch::Tensor keys;
  std::uint32_t draw = 0;
  torch::Tensor coef;
};

inline constexpr int kMaxTerms = 3;

// 1 to kMaxTerms data terms of one shape, dtype and device, and an optional noise term.
torch::Tensor combine(const std::vector<Term>& terms, const std::optional<Noise>& noise = std::nullopt);
// The same with eps returned too (the target of an epsilon-predicting loss): {out, eps}.
std::pair<torch::Tensor, torch::Tensor> combine_returning_noise(const std::vector<Term>& terms, const Noise& noise);

// a x + b y with per-sample a, b [N].
torch::Tensor affine_mix(const torch::Tensor& x, const torch::Tensor& a, const torch::Tensor& y, const torch::Tensor& b);

}  // namespace retrain::ops
