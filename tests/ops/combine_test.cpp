// ops::combine / ops::affine_mix: the CPU kernel against the per-sample formula and the ATen path,
// layouts, float64 finite-difference gradients through the kernel path, the noise term, and the CUDA
// kernel against the CPU kernel when a GPU is present.
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <torch/cuda.h>

#include <cmath>
#include <string>
#include <tuple>

#include "retrain/ops/combine.hpp"
#include "retrain/ops/philox_noise.hpp"

namespace retrain {
namespace {

using ops::OpPath;
using ops::OpPathGuard;

TEST(AffineMix, MatchesPerSampleFormulaOnBothPaths) {
  auto x = torch::randn({3, 2, 4}), y = torch::randn({3, 2, 4});
  auto a = torch::tensor({1.0f, 0.5f, -2.0f}), b = torch::tensor({0.0f, 3.0f, 0.25f});
  for (auto path : {OpPath::kernel, OpPath::aten}) {
    OpPathGuard guard(path);
    auto out = ops::affine_mix(x, a, y, b);
    for (int i = 0; i < 3; ++i)
      EXPECT_TRUE(torch::allclose(out[i], a[i] * x[i] + b[i] * y[i])) << "sample " << i << " path " << int(path);
  }
}

TEST(AffineMix, RejectsMismatchedCoefficientsAndShapes) {
  auto x = torch::randn({3, 2}), y = torch::randn({3, 2});
  EXPECT_THROW(ops::affine_mix(x, torch::ones({2}), y, torch::ones({3})), c10::Error);
  EXPECT_THROW(ops::affine_mix(x, torch::ones({3}), torch::randn({3, 3}), torch::ones({3})), c10::Error);
  EXPECT_THROW(ops::affine_mix(x, torch::ones({3}), y.to(torch::kFloat64), torch::ones({3})), c10::Error);
  EXPECT_THROW(ops::combine({}), c10::Error);
  EXPECT_THROW(ops::combine({{x, torch::ones({3})}}, ops::Noise{torch::zeros({2}, torch::kLong), 0, {}}), c10::Error);
}

// Random terms and coefficients for `terms` data terms of `dtype`.
std::vector<ops::Term> random_terms(int terms, torch::ScalarType dtype, std::vector<std::int64_t> shape) {
  std::vector<ops::Term> out;
  for (int t = 0; t < terms; ++t) out.push_back({torch::randn(shape).to(dtype), torch::randn({shape[0]})});
  return out;
}

// Per element, sum_k |c_k x_k| + |c_noise eps|: the size of what is summed, which scales the rounding
// error of the ATen path (it rounds to the dtype after every multiply and add; the kernel once).
torch::Tensor summed_magnitude(const std::vector<ops::Term>& in, const torch::Tensor& eps, const torch::Tensor& noise_coef) {
  auto per_sample = [](const torch::Tensor& coef, const torch::Tensor& x) {
    std::vector<std::int64_t> shape(x.dim(), 1);
    shape[0] = x.size(0);
    return (coef.to(torch::kFloat64).view(shape) * x.to(torch::kFloat64)).abs();
  };
  auto total = torch::zeros(in[0].x.sizes(), torch::kFloat64);
  for (const auto& t : in) total += per_sample(t.coef.cpu(), t.x.cpu());
  if (eps.defined()) total += per_sample(noise_coef.cpu(), eps.cpu());
  return total;
}

// The ATen path against the kernel, to first order: ATen rounds each coefficient to the dtype, then
// every product and sum (3 roundings a term; 4 for the noise, whose eps is rounded too), the kernel
// once at the end; each rounding errs by at most one unit roundoff of what is summed.
void expect_within_aten_rounding(const torch::Tensor& kernel, const torch::Tensor& aten, const torch::Tensor& magnitude,
                                 int terms, bool with_noise, const std::string& what) {
  const double unit = kernel.scalar_type() == torch::kBFloat16 ? std::ldexp(1.0, -8)
                      : kernel.scalar_type() == torch::kFloat32 ? std::ldexp(1.0, -24)
                                                                 : std::ldexp(1.0, -53);
  const int roundings = 3 * terms + (with_noise ? 4 : 0) + 1;
  const auto diff = (kernel.cpu().to(torch::kFloat64) - aten.cpu().to(torch::kFloat64)).abs();
  const auto bound = roundings * unit * (magnitude + 1e-30);
  const auto worst = (diff - bound).max().item<double>();
  EXPECT_LE(worst, 0.0) << what << ": largest excess over the rounding bound " << worst << " (max diff "
                        << diff.max().item<double>() << ")";
}

TEST(FusedCombine, KernelMatchesAtenOnRandomInputs) {
  torch::manual_seed(3);
  const auto keys = torch::tensor({4, 9, 1, 7, 2}, torch::kLong);
  for (auto dtype : {torch::kFloat32, torch::kFloat64, torch::kBFloat16}) {
    for (int terms = 1; terms <= ops::kMaxTerms; ++terms) {
      for (bool with_noise : {false, true}) {
        const auto in = random_terms(terms, dtype, {5, 3, 7, 5});
        std::optional<ops::Noise> noise;
        if (with_noise) noise = ops::Noise{keys, 3, torch::rand({5})};
        torch::Tensor kernel, aten, eps;
        {
          OpPathGuard guard(OpPath::kernel);
          kernel = ops::combine(in, noise);
          if (noise) eps = ops::philox_normal(noise->keys, noise->draw, kernel.sizes(), torch::kFloat64);
        }
        {
          OpPathGuard guard(OpPath::aten);
          aten = ops::combine(in, noise);
        }
        expect_within_aten_rounding(kernel, aten, summed_magnitude(in, eps, noise ? noise->coef : torch::Tensor()),
                                    terms, with_noise,
                                    fmt::format("{} terms {} noise {}", c10::toString(dtype), terms, with_noise));
      }
    }
  }
}

TEST(FusedCombine, ChannelsLastInputsKeepTheirLayout) {
  auto x = torch::randn({2, 3, 4, 5}).contiguous(torch::MemoryFormat::ChannelsLast);
  auto y = torch::randn({2, 3, 4, 5}).contiguous(torch::MemoryFormat::ChannelsLast);
  auto a = torch::tensor({2.0f, -1.0f}), b = torch::tensor({0.5f, 3.0f});
  auto out = ops::affine_mix(x, a, y, b);
  EXPECT_TRUE(out.is_contiguous(torch::MemoryFormat::ChannelsLast));
  EXPECT_TRUE(torch::allclose(out, a.view({2, 1, 1, 1}) * x + b.view({2, 1, 1, 1}) * y));
  // A transposed (non-dense-rows) input is computed right too.
  auto xt = torch::randn({5, 2}).t(), yt = torch::randn({5, 2}).t();
  EXPECT_TRUE(torch::allclose(ops::affine_mix(xt, a, yt, b), a.view({2, 1}) * xt + b.view({2, 1}) * yt));
}

TEST(FusedCombine, NoiseTermIsThePhiloxStream) {
  const auto keys = torch::tensor({11, 12, 13}, torch::kLong);
  auto x = torch::randn({3, 2, 5}, torch::kFloat64);
  auto a = torch::rand({3}, torch::kFloat64), c = torch::rand({3}, torch::kFloat64);
  auto [out, eps] = ops::combine_returning_noise({{x, a}}, ops::Noise{keys, 7, c});
  auto expected_eps = ops::philox_normal(keys, 7, {3, 2, 5}, torch::kFloat64);
  EXPECT_TRUE(torch::equal(eps, expected_eps));
  EXPECT_TRUE(torch::allclose(out, a.view({3, 1, 1}) * x + c.view({3, 1, 1}) * eps, 1e-12, 1e-12));
  // An undefined noise coefficient means 1.
  auto plain = ops::combine({{x, torch::zeros({3}, torch::kFloat64)}}, ops::Noise{keys, 7, {}});
  EXPECT_TRUE(torch::equal(plain, expected_eps));
}

// Central differences of sum(w * combine(...)) in float64 against autograd through the kernel path.
// The kernel path's backward against central differences in float64, for every number of terms, with
// and without fused noise (the noise coefficient itself is not differentiable, below).
TEST(FusedCombine, Float64GradientsMatchFiniteDifferences) {
  OpPathGuard guard(OpPath::kernel);
  torch::manual_seed(5);
  const auto keys = torch::tensor({1, 2, 3}, torch::kLong);
  const auto w = torch::randn({3, 4}, torch::kFloat64);
  for (int terms = 1; terms <= ops::kMaxTerms; ++terms) {
    for (const bool with_noise : {false, true}) {
      std::vector<torch::Tensor> xs, cs;
      for (int k = 0; k < terms; ++k) {
        xs.push_back(torch::randn({3, 4}, torch::kFloat64).requires_grad_());
        cs.push_back(torch::randn({3}, torch::kFloat64).requires_grad_());
      }
      auto f = [&] {
        std::vector<ops::Term> in;
        for (int k = 0; k < terms; ++k) in.push_back({xs[k], cs[k]});
        const auto out = with_noise ? ops::combine(in, ops::Noise{keys, 0, torch::full({3}, 0.3, torch::kFloat64)})
                                    : ops::combine(in);
        return (w * out).sum();
      };
      f().backward();
      const double h = 1e-6;
      std::vector<torch::Tensor*> inputs;
      for (int k = 0; k < terms; ++k) inputs.insert(inputs.end(), {&xs[k], &cs[k]});
      for (auto* v : inputs) {
        auto flat = v->detach().view(-1);
        auto grad = v->grad().view(-1);
        for (std::int64_t i = 0; i < flat.numel(); ++i) {
          torch::NoGradGuard no_grad;
          const double keep = flat[i].item<double>();
          flat[i] = keep + h;
          const double up = f().item<double>();
          flat[i] = keep - h;
          const double down = f().item<double>();
          flat[i] = keep;
          EXPECT_NEAR(grad[i].item<double>(), (up - down) / (2 * h), 1e-7)
              << terms << " terms" << (with_noise ? " + noise" : "") << ", element " << i;
        }
      }
    }
  }
}

TEST(FusedCombine, NoiseCoefficientIsNotDifferentiable) {
  auto x = torch::randn({2, 3});
  auto c = torch::ones({2}).requires_grad_();
  EXPECT_THROW(ops::combine({{x, torch::ones({2})}}, ops::Noise{torch::zeros({2}, torch::kLong), 0, c}), c10::Error);
}

// The CUDA kernel runs the CPU loop's math, both without FMA contraction: bit-identical in every
// dtype. The ATen path on CUDA tensors (a build without the kernels) is held to its rounding bound.
TEST(FusedCombine, CudaKernelMatchesCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "needs a GPU";
  torch::manual_seed(11);
  const auto keys = torch::arange(17, torch::kLong) * 7 + 3;
  for (auto dtype : {torch::kFloat32, torch::kFloat64, torch::kBFloat16}) {
    for (int terms = 1; terms <= ops::kMaxTerms; ++terms) {
      const auto in = random_terms(terms, dtype, {17, 3, 33, 5});
      std::vector<ops::Term> on_gpu;
      for (const auto& t : in) on_gpu.push_back({t.x.cuda(), t.coef.cuda()});
      const ops::Noise noise{keys, 2, torch::rand({17})};
      const ops::Noise gpu_noise{keys.cuda(), 2, noise.coef.cuda()};
      const auto what = fmt::format("{} terms {}", c10::toString(dtype), terms);
      torch::Tensor cpu, cpu_eps;
      {
        OpPathGuard guard(OpPath::kernel);
        std::tie(cpu, cpu_eps) = ops::combine_returning_noise(in, noise);
      }
      auto [gpu, gpu_eps] = ops::combine_returning_noise(on_gpu, gpu_noise);
      EXPECT_TRUE(torch::equal(gpu_eps.cpu(), cpu_eps)) << "Philox noise must be bit-identical; " << what;
      EXPECT_TRUE(torch::equal(gpu.cpu(), cpu)) << "the CUDA kernel must equal the CPU kernel; " << what;
      OpPathGuard guard(OpPath::aten);
      expect_within_aten_rounding(cpu, ops::combine(on_gpu, gpu_noise), summed_magnitude(in, cpu_eps, noise.coef), terms,
                                  true, what + " (ATen on CUDA)");
    }
  }
}

TEST(FusedCombine, CudaGradientsReachTheInputs) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "needs a GPU";
  auto x = torch::randn({4, 8}, torch::kCUDA).requires_grad_();
  auto out = ops::affine_mix(x, torch::full({4}, 2.0, torch::kCUDA), torch::randn({4, 8}, torch::kCUDA),
                             torch::ones({4}, torch::kCUDA));
  ASSERT_TRUE(out.requires_grad());
  out.sum().backward();
  EXPECT_TRUE(torch::allclose(x.grad().cpu(), torch::full({4, 8}, 2.0)));
}

}  // namespace
}  // namespace retrain
