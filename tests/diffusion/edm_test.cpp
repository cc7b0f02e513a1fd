// EdmMethod: Table 1's preconditioning and the rho-schedule by hand, the weighted loss, and the
// Euler/Heun samplers driven by the ideal denoiser of a Gaussian data distribution.
#include <gtest/gtest.h>

#include <cmath>

#include "diffusion/test_helpers.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/diffusion/edm.hpp"
#include "retrain/ops/philox_noise.hpp"

namespace retrain {
namespace {

using Edm = test::SingleThreaded;

// The raw network F that makes D(x; sigma) = c_skip x + c_out F(c_in x; c_noise) the ideal denoiser
// E[x0 | x] = m + s^2 / (s^2 + sigma^2) (x - m) of data N(m, s^2 I).
class IdealF final : public Denoiser {
 public:
  IdealF(const EdmMethod& method, torch::Tensor m, double s) : method_(method), m_(std::move(m)), s_(s) {}
  torch::Tensor forward(const torch::Tensor& x_in, const torch::Tensor& c_noise, const torch::Tensor&) override {
    auto sigma = (c_noise.to(torch::kFloat64) * 4).exp();
    auto c = method_.preconditioning(sigma);
    auto x = x_in.to(torch::kFloat64) / c.c_in.unsqueeze(1);
    auto d = m_ + (s_ * s_ / (s_ * s_ + sigma.square())).unsqueeze(1) * (x - m_);
    return ((d - c.c_skip.unsqueeze(1) * x) / c.c_out.unsqueeze(1)).to(x_in.scalar_type());
  }
  std::shared_ptr<Denoiser> replicate() const override { return std::make_shared<IdealF>(method_, m_, s_); }

 private:
  const EdmMethod& method_;
  torch::Tensor m_;
  double s_;
};

// F = 0, so D(x; sigma) = c_skip x.
struct ZeroF final : Denoiser {
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor&, const torch::Tensor&) override {
    return torch::zeros_like(x);
  }
  std::shared_ptr<Denoiser> replicate() const override { return std::make_shared<ZeroF>(); }
};

const std::vector<double> kMean = {1.0, -0.5};
constexpr double kStd = 0.5;

torch::Tensor sample_ideal(const EdmOptions& options, std::uint64_t seed) {
  EdmMethod method(options);
  IdealF net(method, torch::tensor(kMean, torch::kFloat64), kStd);
  auto gen = make_generator(seed, 0, Stream::Sample);
  return method.sample(net, {4000, 2}, {}, gen);
}

TEST_F(Edm, PreconditioningMatchesHandComputedValues) {
  EdmMethod method;  // sigma_data = 0.5
  auto c = method.preconditioning(torch::tensor({1.0, 2.0}, torch::kFloat64));
  // sigma = 1: sigma^2 + sd^2 = 1.25; sigma = 2: 4.25.
  EXPECT_NEAR(c.c_skip[0].item<double>(), 0.25 / 1.25, 1e-15);
  EXPECT_NEAR(c.c_out[0].item<double>(), 0.5 / std::sqrt(1.25), 1e-15);
  EXPECT_NEAR(c.c_in[0].item<double>(), 1 / std::sqrt(1.25), 1e-15);
  EXPECT_NEAR(c.c_noise[0].item<double>(), 0.0, 1e-15);
  EXPECT_NEAR(c.c_skip[1].item<double>(), 0.058823529411764705, 1e-15);
  EXPECT_NEAR(c.c_out[1].item<double>(), 0.48507125007266594, 1e-15);
  EXPECT_NEAR(c.c_in[1].item<double>(), 0.48507125007266594, 1e-15);
  EXPECT_NEAR(c.c_noise[1].item<double>(), std::log(2.0) / 4, 1e-15);
}

TEST_F(Edm, TimeStepsFollowTheRhoSchedule) {
  EdmMethod method;
  auto t = method.time_steps();
  ASSERT_EQ(t.size(0), 19);
  EXPECT_NEAR(t[0].item<double>(), 80.0, 1e-12);
  EXPECT_NEAR(t[17].item<double>(), 0.002, 1e-15);
  EXPECT_EQ(t[18].item<double>(), 0.0);
  const double a = std::pow(80.0, 1 / 7.0), b = std::pow(0.002, 1 / 7.0);
  EXPECT_NEAR(t[9].item<double>(), std::pow(a + 9.0 / 17.0 * (b - a), 7.0), 1e-12);
  EXPECT_NEAR(t[9].item<double>(), 1.9233398370400518, 1e-12);
}

TEST_F(Edm, LossIsWeightedSquaredErrorSummedOverDims) {
  EdmMethod method;
  ZeroF net;
  auto x0 = torch::randn({6, 3, 2});
  auto gen = make_generator(7, 0, Stream::Fit);
  auto loss = method.loss(net, x0, {}, gen);
  // Replay the draws: one key base from the generator, then Philox streams per row: draw 1 gives
  // ln(sigma) ~ N(-1.2, 1.2^2), draw 0 the noise.
  auto replay = make_generator(7, 0, Stream::Fit);
  const auto keys = Method::batch_keys(replay, 6, torch::kCPU);
  auto sigma = (ops::philox_normal(keys, 1, {6}, x0.options()) * 1.2 - 1.2).exp();
  auto noise = ops::philox_normal(keys, 0, {6, 3, 2}, x0.options());
  auto sig = sigma.view({6, 1, 1});
  auto d = 0.25 / (sig.square() + 0.25) * (x0 + sig * noise);
  auto weight = (sigma.square() + 0.25) / (sigma * 0.5).square();
  EXPECT_TRUE(torch::allclose(loss, weight * (d - x0).square().sum({1, 2}), 1e-5, 1e-6));
}

TEST_F(Edm, DenoiseWithTheIdealNetworkIsThePosteriorMean) {
  EdmMethod method;
  IdealF net(method, torch::tensor(kMean, torch::kFloat64), kStd);
  auto x = torch::randn({5, 2}, torch::kFloat64) * 3;
  auto sigma = torch::tensor({0.01, 0.3, 1.0, 5.0, 60.0}, torch::kFloat64);
  auto d = method.denoise(net, x, sigma, {});
  auto m = torch::tensor(kMean, torch::kFloat64);
  auto expected = m + (kStd * kStd / (kStd * kStd + sigma.square())).unsqueeze(1) * (x - m);
  EXPECT_TRUE(torch::allclose(d, expected, 1e-4, 1e-5));
}

// Step counts: a data std (0.5) far below sigma_max needs more steps than the image defaults to bring the
// discretisation error under ~2% (the default 18 Heun steps overshoot the std by ~5.5% here).
TEST_F(Edm, HeunReproducesGaussianData) {
  EdmOptions o;
  o.num_steps = 32;
  test::expect_gaussian(sample_ideal(o, 1), kMean, kStd, 0.05, 0.05);
}

TEST_F(Edm, EulerReproducesGaussianData) {
  EdmOptions o;
  o.sampler = EdmSampler::euler;
  o.num_steps = 200;
  test::expect_gaussian(sample_ideal(o, 2), kMean, kStd, 0.05, 0.05);
}

TEST_F(Edm, StochasticHeunWithChurnReproducesGaussianData) {
  EdmOptions o;
  o.num_steps = 64;
  o.s_churn = 10;
  o.s_min = 0.05;
  o.s_max = 50;
  o.s_noise = 1.003;
  auto a = sample_ideal(o, 3);
  test::expect_gaussian(a, kMean, kStd, 0.05, 0.05);
  EXPECT_TRUE(torch::equal(a, sample_ideal(o, 3)));
  EXPECT_FALSE(torch::equal(a, sample_ideal(o, 4)));
}

TEST_F(Edm, RejectsInvalidOptions) {
  EdmOptions o;
  o.sigma_min = 100;
  EXPECT_THROW(EdmMethod{o}, UsageError);
  o = {};
  o.num_steps = 0;
  EXPECT_THROW(EdmMethod{o}, UsageError);
}

}  // namespace
}  // namespace retrain
