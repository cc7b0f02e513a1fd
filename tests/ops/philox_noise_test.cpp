// Philox noise: Random123's known answers, the portable log/sin/cos against libm, normal statistics,
// no correlation across elements, keys and draws, rows that depend on their key alone, and CUDA
// bit-identity when a GPU is present.
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include <cmath>

#include "kernels/philox.cuh"
#include "retrain/ops/philox_noise.hpp"

namespace retrain {
namespace {

TEST(PhiloxNoise, Random123KnownAnswers) {
  const auto zero = kernels::philox4x32_10({{0, 0, 0, 0}}, 0, 0);
  EXPECT_EQ(zero.v[0], 0x6627e8d5u);
  EXPECT_EQ(zero.v[1], 0xe169c58du);
  EXPECT_EQ(zero.v[2], 0xbc57ac4cu);
  EXPECT_EQ(zero.v[3], 0x9b00dbd8u);
  const auto ones = kernels::philox4x32_10({{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}}, 0xffffffffu, 0xffffffffu);
  EXPECT_EQ(ones.v[0], 0x408f276du);
  EXPECT_EQ(ones.v[1], 0x41c83b0eu);
  EXPECT_EQ(ones.v[2], 0xa20bc7c6u);
  EXPECT_EQ(ones.v[3], 0x6d5451fdu);
}

TEST(PhiloxNoise, PortableMathMatchesLibm) {
  for (double u : {1.0, 0.5, 0.70710678118654752, 0.9999999, 1e-300, 2.0 / 9007199254740992.0, 0.123456789, 0.3}) {
    EXPECT_NEAR(kernels::portable_log(u), std::log(u), 4e-16 * std::max(1.0, std::fabs(std::log(u)))) << u;
  }
  for (int i = 0; i < 4096; ++i) {
    const double u = (i + 0.37) / 4096.0;
    double s, c;
    kernels::sincos_turn(u, &s, &c);
    EXPECT_NEAR(s, std::sin(2 * M_PI * u), 1e-15) << u;
    EXPECT_NEAR(c, std::cos(2 * M_PI * u), 1e-15) << u;
  }
}

TEST(PhiloxNoise, NormalMomentsAndTails) {
  const std::int64_t n = 1 << 20;
  auto z = ops::philox_normal(torch::tensor({42}, torch::kLong), 0, {1, n}, torch::kFloat64).view(-1);
  const double se = 1.0 / std::sqrt(static_cast<double>(n));
  EXPECT_NEAR(z.mean().item<double>(), 0.0, 5 * se);
  EXPECT_NEAR(z.var().item<double>(), 1.0, 5 * std::sqrt(2.0) * se);
  EXPECT_NEAR(z.pow(3).mean().item<double>(), 0.0, 5 * std::sqrt(15.0) * se);
  EXPECT_NEAR(z.pow(4).mean().item<double>(), 3.0, 5 * std::sqrt(96.0) * se);
  const double beyond3 = (z.abs() > 3).to(torch::kFloat64).mean().item<double>();  // 0.0026998
  EXPECT_NEAR(beyond3, 0.0026998, 5 * std::sqrt(0.0027 / n));
}

double correlation(const torch::Tensor& a, const torch::Tensor& b) {
  auto x = a.flatten() - a.mean(), y = b.flatten() - b.mean();
  return ((x * y).sum() / (x.norm() * y.norm())).item<double>();
}

TEST(PhiloxNoise, NoCorrelationAcrossElementsKeysAndDraws) {
  const std::int64_t n = 1 << 16;
  const auto keys = torch::arange(8, torch::kLong);  // consecutive keys: the kernel mixes them
  auto d0 = ops::philox_normal(keys, 0, {8, n}, torch::kFloat64);
  auto d1 = ops::philox_normal(keys, 1, {8, n}, torch::kFloat64);
  const double bound = 5.0 / std::sqrt(static_cast<double>(n));
  EXPECT_LT(std::fabs(correlation(d0[0].slice(0, 0, n - 1), d0[0].slice(0, 1, n))), bound) << "neighbours";
  EXPECT_LT(std::fabs(correlation(d0[0].slice(0, 0, n, 2), d0[0].slice(0, 1, n, 2))), bound) << "the two of a pair";
  for (int k = 0; k + 1 < 8; ++k) EXPECT_LT(std::fabs(correlation(d0[k], d0[k + 1])), bound) << "keys " << k;
  EXPECT_LT(std::fabs(correlation(d0, d1)), bound / std::sqrt(8.0)) << "draws";
}

TEST(PhiloxNoise, RowsDependOnlyOnTheirKeyAndDtypeOnlyRounds) {
  const auto all = ops::philox_normal(torch::tensor({5, 6, 7}, torch::kLong), 2, {3, 4, 9}, torch::kFloat64);
  const auto one = ops::philox_normal(torch::tensor({6}, torch::kLong), 2, {1, 4, 9}, torch::kFloat64);
  EXPECT_TRUE(torch::equal(all[1], one[0]));
  const auto single = ops::philox_normal(torch::tensor({5, 6, 7}, torch::kLong), 2, {3, 4, 9}, torch::kFloat32);
  EXPECT_TRUE(torch::equal(single, all.to(torch::kFloat32)));
  EXPECT_FALSE(torch::equal(all[0], all[1]));
}

TEST(PhiloxNoise, UniformsAreInRangeAndDependOnKeyAndDraw) {
  const auto keys = torch::arange(20000, torch::kLong);
  auto u = ops::philox_uniform(keys, 0);
  EXPECT_GE(u.min().item<double>(), 0.0);
  EXPECT_LT(u.max().item<double>(), 1.0);
  EXPECT_NEAR(u.mean().item<double>(), 0.5, 5 * std::sqrt(1.0 / 12 / 20000));
  EXPECT_EQ(ops::philox_uniform(torch::tensor({17}, torch::kLong), 0).item<double>(), u[17].item<double>());
  EXPECT_NE(ops::philox_uniform(torch::tensor({17}, torch::kLong), 1).item<double>(), u[17].item<double>());
}

TEST(PhiloxNoise, CudaIsBitIdenticalToCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "needs a GPU";
  const auto keys = torch::arange(64, torch::kLong) * 1000003;
  for (auto dtype : {torch::kFloat32, torch::kFloat64, torch::kBFloat16}) {
    auto cpu = ops::philox_normal(keys, 9, {64, 3, 17, 17}, dtype);
    auto gpu = ops::philox_normal(keys.cuda(), 9, {64, 3, 17, 17}, torch::TensorOptions().dtype(dtype).device(torch::kCUDA));
    EXPECT_TRUE(torch::equal(gpu.cpu(), cpu)) << dtype;
  }
}

}  // namespace
}  // namespace retrain
