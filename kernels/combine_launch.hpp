// The tensors of one ops::combine launch, checked and laid out by src/ops/combine.cpp and handed to
// the CPU loop there or to the CUDA kernel in kernels/fused_combine.cu.
#pragma once
#include <torch/types.h>

#include <cstdint>
#include <vector>

#include "kernels/fused_combine.cuh"

namespace retrain::ops::detail {

struct CombineLaunch {
  std::vector<torch::Tensor> xs;     // data terms: out's dtype, device and strides (rows outermost, dense)
  std::vector<torch::Tensor> coefs;  // [rows] in the op-math dtype, one per data term
  torch::Tensor keys;                // [rows] int64: noise seeds; undefined = no noise term
  torch::Tensor noise_coef;          // [rows] op-math dtype; undefined = 1
  std::uint32_t draw = 0;
  torch::Tensor out;                 // allocated by the caller
  torch::Tensor noise_out;           // optional: receives eps
};

template <typename scalar_t, typename opmath_t>
kernels::CombineArgs<scalar_t, opmath_t> make_combine_args(const CombineLaunch& l) {
  kernels::CombineArgs<scalar_t, opmath_t> a;
  a.terms = static_cast<int>(l.xs.size());
  for (int t = 0; t < a.terms; ++t) {
    a.x[t] = l.xs[t].template const_data_ptr<scalar_t>();
    a.coef[t] = l.coefs[t].template const_data_ptr<opmath_t>();
  }
  if (l.keys.defined()) a.keys = l.keys.const_data_ptr<std::int64_t>();
  if (l.noise_coef.defined()) a.noise_coef = l.noise_coef.template const_data_ptr<opmath_t>();
  a.draw = l.draw;
  a.out = l.out.template mutable_data_ptr<scalar_t>();
  if (l.noise_out.defined()) a.noise_out = l.noise_out.template mutable_data_ptr<scalar_t>();
  a.rows = l.out.size(0);
  a.inner = a.rows == 0 ? 0 : l.out.numel() / a.rows;
  return a;
}

void combine_cpu(const CombineLaunch& launch);   // src/ops/combine.cpp
void combine_cuda(const CombineLaunch& launch);  // kernels/fused_combine.cu (CUDA builds)

}  // namespace retrain::ops::detail
