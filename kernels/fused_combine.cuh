// Per-element math of ops::combine: out = sum_k c_k[n] x_k + c_noise[n] eps, eps a standard normal
// from the Philox stream of row n (kernels/philox.cuh). Shared by the CUDA kernel
// (kernels/fused_combine.cu) and the CPU loop (src/ops/combine.cpp); one call handles one element pair
// of one row, so a row's noise is the same whatever the launch.
#pragma once
#include <cstdint>
#include <type_traits>

#include "kernels/host_device.cuh"
#include "kernels/philox.cuh"

namespace retrain::kernels {

constexpr int kMaxCombineTerms = 3;

// Raw pointers of one launch. Rows are the outermost dimension; `inner` elements per row, dense.
template <typename scalar_t, typename opmath_t>
struct CombineArgs {
  const scalar_t* x[kMaxCombineTerms] = {nullptr, nullptr, nullptr};
  const opmath_t* coef[kMaxCombineTerms] = {nullptr, nullptr, nullptr};  // [rows] each
  int terms = 0;
  const std::int64_t* keys = nullptr;  // [rows] seeds of the noise term; nullptr = no noise
  const opmath_t* noise_coef = nullptr;  // [rows]; nullptr = 1
  std::uint32_t draw = 0;
  scalar_t* out = nullptr;
  scalar_t* noise_out = nullptr;  // optional: eps itself
  std::int64_t rows = 0, inner = 0;
};

// A normal in the data type: double stays double, every other type is rounded through float, so CPU
// and GPU round it the same way.
template <typename scalar_t>
RETRAIN_HD scalar_t normal_in(double z) {
  if constexpr (std::is_same_v<scalar_t, double>) {
    return z;
  } else {
    return static_cast<scalar_t>(static_cast<float>(z));
  }
}

// Elements 2 pair and 2 pair + 1 (when inside the row) of row `row`.
template <typename scalar_t, typename opmath_t>
RETRAIN_HD void combine_pair(const CombineArgs<scalar_t, opmath_t>& a, std::int64_t row, std::int64_t pair) {
  double z[2] = {0.0, 0.0};
  if (a.keys != nullptr)
    normal_pair(philox_block(mix_key(static_cast<std::uint64_t>(a.keys[row])), static_cast<std::uint64_t>(pair), a.draw),
                &z[0], &z[1]);
  const std::int64_t first = 2 * pair;
  const int count = first + 1 < a.inner ? 2 : 1;
  for (int k = 0; k < count; ++k) {
    const std::int64_t i = row * a.inner + first + k;
    opmath_t acc = 0;
    for (int t = 0; t < a.terms; ++t) acc = acc + a.coef[t][row] * static_cast<opmath_t>(a.x[t][i]);
    if (a.keys != nullptr) {
      const scalar_t eps = normal_in<scalar_t>(z[k]);
      const opmath_t c = a.noise_coef != nullptr ? a.noise_coef[row] : opmath_t(1);
      acc = acc + c * static_cast<opmath_t>(eps);
      if (a.noise_out != nullptr) a.noise_out[i] = eps;
    }
    a.out[i] = static_cast<scalar_t>(acc);
  }
}

}  // namespace retrain::kernels
