// CUDA launch of ops::combine: one thread per element pair of a row, grid-stride; the math is
// kernels/fused_combine.cuh, the same code the CPU loop runs.
#include <ATen/Dispatch.h>
#include <ATen/OpMathType.h>
#include <ATen/cuda/CUDAContext.h>
#include <c10/cuda/CUDAGuard.h>

#include "kernels/fused_combine.cuh"
#include "kernels/combine_launch.hpp"

namespace retrain::ops::detail {
namespace {

template <typename scalar_t, typename opmath_t>
__global__ void combine_kernel(kernels::CombineArgs<scalar_t, opmath_t> args, std::int64_t pairs_per_row) {
  const std::int64_t total = args.rows * pairs_per_row;
  for (std::int64_t p = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x; p < total;
       p += static_cast<std::int64_t>(gridDim.x) * blockDim.x)
    kernels::combine_pair(args, p / pairs_per_row, p % pairs_per_row);
}

}  // namespace

void combine_cuda(const CombineLaunch& launch) {
  const c10::cuda::CUDAGuard guard(launch.out.device());
  const std::int64_t rows = launch.out.size(0);
  const std::int64_t inner = rows == 0 ? 0 : launch.out.numel() / rows;
  const std::int64_t pairs_per_row = (inner + 1) / 2;
  if (rows == 0 || inner == 0) return;
  const int threads = 256;
  const std::int64_t max_blocks = static_cast<std::int64_t>(at::cuda::getCurrentDeviceProperties()->multiProcessorCount) * 16;
  const int blocks = static_cast<int>(std::min<std::int64_t>((rows * pairs_per_row + threads - 1) / threads, max_blocks));
  AT_DISPATCH_FLOATING_TYPES_AND2(at::kHalf, at::kBFloat16, launch.out.scalar_type(), "retrain_combine_cuda", [&] {
    using opmath_t = at::opmath_type<scalar_t>;
    auto args = make_combine_args<scalar_t, opmath_t>(launch);
    combine_kernel<scalar_t, opmath_t><<<blocks, threads, 0, at::cuda::getCurrentCUDAStream()>>>(args, pairs_per_row);
  });
  C10_CUDA_KERNEL_LAUNCH_CHECK();
}

}  // namespace retrain::ops::detail
