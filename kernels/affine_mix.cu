// CUDA kernel for ops::affine_mix: one pass over x and y (the ATen expression reads and writes two
// temporaries). Coefficients are read in the compute type (float for half/bfloat16 inputs).
#include <ATen/AccumulateType.h>
#include <ATen/Dispatch.h>
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>
#include <nvtx3/nvToolsExt.h>

#include "retrain/ops/affine_mix.hpp"

namespace retrain::ops::detail {
namespace {

template <typename scalar_t, typename acc_t>
__global__ void affine_mix_kernel(const scalar_t* __restrict__ x, const scalar_t* __restrict__ y,
                                  const acc_t* __restrict__ a, const acc_t* __restrict__ b, scalar_t* __restrict__ out,
                                  int64_t numel, int64_t inner) {
  for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < numel;
       i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
    const int64_t n = i / inner;
    out[i] = static_cast<scalar_t>(a[n] * static_cast<acc_t>(x[i]) + b[n] * static_cast<acc_t>(y[i]));
  }
}

}  // namespace

torch::Tensor affine_mix_cuda(const torch::Tensor& x_in, const torch::Tensor& a_in, const torch::Tensor& y_in,
                              const torch::Tensor& b_in) {
  nvtxRangePushA("retrain::affine_mix");
  const c10::cuda::CUDAGuard guard(x_in.device());
  auto x = x_in.contiguous(), y = y_in.contiguous();
  auto out = torch::empty_like(x);
  const int64_t numel = x.numel();
  if (numel == 0) {
    nvtxRangePop();
    return out;
  }
  const int64_t inner = numel / x.size(0);
  const int threads = 256;
  const int64_t max_blocks = static_cast<int64_t>(at::cuda::getCurrentDeviceProperties()->multiProcessorCount) * 8;
  const int blocks = static_cast<int>(std::min<int64_t>((numel + threads - 1) / threads, max_blocks));
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, x.scalar_type(), "affine_mix_cuda", [&] {
    using acc_t = at::acc_type<scalar_t, /*is_cuda=*/true>;
    auto a = a_in.to(c10::CppTypeToScalarType<acc_t>::value).contiguous();
    auto b = b_in.to(c10::CppTypeToScalarType<acc_t>::value).contiguous();
    affine_mix_kernel<scalar_t, acc_t><<<blocks, threads, 0, at::cuda::getCurrentCUDAStream()>>>(
        x.data_ptr<scalar_t>(), y.data_ptr<scalar_t>(), a.data_ptr<acc_t>(), b.data_ptr<acc_t>(),
        out.data_ptr<scalar_t>(), numel, inner);
  });
  C10_CUDA_KERNEL_LAUNCH_CHECK();
  nvtxRangePop();
  return out;
}

}  // namespace retrain::ops::detail
