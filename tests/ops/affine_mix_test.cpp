// ops::affine_mix: per-sample a*x + b*y on CPU, the CUDA kernel against it when a GPU is present.
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "retrain/ops/affine_mix.hpp"

namespace retrain {
namespace {

TEST(AffineMix, MatchesPerSampleFormulaOnCpu) {
  auto x = torch::randn({3, 2, 4}), y = torch::randn({3, 2, 4});
  auto a = torch::tensor({1.0f, 0.5f, -2.0f}), b = torch::tensor({0.0f, 3.0f, 0.25f});
  auto out = ops::affine_mix(x, a, y, b);
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(torch::allclose(out[i], a[i] * x[i] + b[i] * y[i])) << "sample " << i;
}

TEST(AffineMix, RejectsMismatchedCoefficients) {
  auto x = torch::randn({3, 2}), y = torch::randn({3, 2});
  EXPECT_THROW(ops::affine_mix(x, torch::ones({2}), y, torch::ones({3})), c10::Error);
  EXPECT_THROW(ops::affine_mix(x, torch::ones({3}), torch::randn({3, 3}), torch::ones({3})), c10::Error);
}

TEST(AffineMix, CudaKernelMatchesCpu) {
  if (!torch::cuda::is_available() || !ops::have_cuda_kernels()) GTEST_SKIP() << "needs a GPU and a CUDA build";
  for (auto dtype : {torch::kFloat32, torch::kFloat64, torch::kBFloat16}) {
    auto x = torch::randn({17, 3, 33, 5}).to(dtype), y = torch::randn({17, 3, 33, 5}).to(dtype);
    auto a = torch::rand({17}), b = torch::rand({17});
    auto cpu = ops::affine_mix(x, a, y, b);
    auto gpu = ops::affine_mix(x.cuda(), a.cuda(), y.cuda(), b.cuda()).cpu();
    const double tol = dtype == torch::kBFloat16 ? 2e-2 : 1e-6;
    EXPECT_TRUE(torch::allclose(gpu.to(torch::kFloat64), cpu.to(torch::kFloat64), tol, tol)) << dtype;
  }
}

}  // namespace
}  // namespace retrain
