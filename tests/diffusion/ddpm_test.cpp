// DdpmMethod: the beta schedule by hand, the loss, and the samplers driven by the ideal epsilon predictor
// of a Gaussian data distribution.
#include <gtest/gtest.h>

#include <cmath>

#include "diffusion/test_helpers.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/diffusion/ddpm.hpp"

namespace retrain {
namespace {

using Ddpm = test::SingleThreaded;

// E[eps | x_t] for data N(m, s^2 I): x_t ~ N(sqrt(ab) m, (ab s^2 + 1 - ab) I).
class IdealEps final : public Denoiser {
 public:
  IdealEps(const DdpmMethod& method, torch::Tensor m, double s) : method_(method), m_(std::move(m)), s_(s) {}
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t, const torch::Tensor&) override {
    auto ab = method_.alpha_bar().index_select(0, t.round().to(torch::kLong)).unsqueeze(1);
    auto xd = x.to(torch::kFloat64);
    return ((1 - ab).sqrt() * (xd - ab.sqrt() * m_) / (ab * s_ * s_ + 1 - ab)).to(x.scalar_type());
  }
  std::shared_ptr<Denoiser> replicate() const override { return std::make_shared<IdealEps>(method_, m_, s_); }

 private:
  const DdpmMethod& method_;
  torch::Tensor m_;
  double s_;
};

const std::vector<double> kMean = {1.0, -0.5};
constexpr double kStd = 0.5;

torch::Tensor sample_ideal(const DdpmOptions& options, std::uint64_t seed, double data_std = kStd) {
  DdpmMethod method(options);
  IdealEps net(method, torch::tensor(kMean, torch::kFloat64), data_std);
  auto gen = make_generator(seed, 0, Stream::Sample);
  return method.sample(net, {4000, 2}, {}, gen);
}

TEST_F(Ddpm, LinearScheduleMatchesHandComputedAlphaBar) {
  DdpmMethod method;
  const auto& ab = method.alpha_bar();
  ASSERT_EQ(ab.size(0), 1000);
  // beta_t = 1e-4 + t * (0.02 - 1e-4) / 999; alpha_bar_t = prod_{s <= t} (1 - beta_s).
  EXPECT_DOUBLE_EQ(method.betas()[999].item<double>(), 0.02);
  EXPECT_NEAR(ab[0].item<double>(), 1 - 1e-4, 1e-15);
  const double b1 = 1e-4 + (0.02 - 1e-4) / 999;
  EXPECT_NEAR(ab[1].item<double>(), (1 - 1e-4) * (1 - b1), 1e-15);
  // Reference values of the product, computed independently with numpy.cumprod(1 - linspace(...)).
  EXPECT_NEAR(ab[499].item<double>(), 0.0785872428817782, 1e-12);
  EXPECT_NEAR(ab[999].item<double>(), 4.035829765375676e-05, 1e-16);
}

TEST_F(Ddpm, LossIsPerSampleAndReproducible) {
  DdpmMethod method;
  IdealEps net(method, torch::zeros({2}, torch::kFloat64), 1.0);
  auto x0 = torch::randn({8, 2});
  auto g1 = make_generator(1, 0, Stream::Fit), g2 = make_generator(1, 0, Stream::Fit);
  auto l1 = method.loss(net, x0, {}, g1), l2 = method.loss(net, x0, {}, g2);
  EXPECT_EQ(l1.sizes(), (std::vector<std::int64_t>{8}));
  EXPECT_TRUE(torch::equal(l1, l2));
}

TEST_F(Ddpm, AncestralFixedLargeReproducesGaussianData) {
  test::expect_gaussian(sample_ideal({}, 1), kMean, kStd, 0.05, 0.05);
}

TEST_F(Ddpm, AncestralFixedSmallReproducesGaussianData) {
  DdpmOptions o;
  o.variance = DdpmVariance::fixed_small;
  test::expect_gaussian(sample_ideal(o, 2), kMean, kStd, 0.05, 0.05);
}

// The last ancestral step returns E[x0 | x at step 0] (no noise is added), and for data N(m, s^2) that
// mean has std sqrt(ab) s^2 / sqrt(ab s^2 + 1 - ab) with ab = 1 - beta_start. Data narrower than
// sqrt(beta_start) therefore comes out narrower still (here 0.53 s): a sampler that refits its own
// samples over generations shrinks such modes onto their centres. (With the posterior variance the
// chain's step-0 marginal is close to the true one; fixed_large adds beta_t, more than the posterior
// variance, at every step, and measured 1.2x wider than this formula here.)
TEST_F(Ddpm, AncestralSamplingNarrowsDataNarrowerThanTheFirstNoiseLevel) {
  const double s = 0.02;
  DdpmOptions o;
  o.beta_start = 1e-3;
  o.variance = DdpmVariance::fixed_small;
  const double ab = 1 - o.beta_start;
  const double expected = std::sqrt(ab) * s * s / std::sqrt(ab * s * s + 1 - ab);
  test::expect_gaussian(sample_ideal(o, 6, s), kMean, expected, 0.01, 0.05);
}

// DDIM step counts: with data std 0.5, 50 deterministic steps undershoot the std by ~5%; 250 by ~1%.
TEST_F(Ddpm, DeterministicDdimReproducesGaussianData) {
  DdpmOptions o;
  o.sampler = DdpmSampler::ddim;
  o.ddim_steps = 250;
  test::expect_gaussian(sample_ideal(o, 3), kMean, kStd, 0.05, 0.05);
}

TEST_F(Ddpm, StochasticDdimReproducesGaussianData) {
  DdpmOptions o;
  o.sampler = DdpmSampler::ddim;
  o.ddim_steps = 1000;
  o.ddim_eta = 1.0;
  test::expect_gaussian(sample_ideal(o, 4), kMean, kStd, 0.05, 0.05);
}

TEST_F(Ddpm, SamplingIsReproducibleFromTheGenerator) {
  DdpmOptions o;
  o.sampler = DdpmSampler::ddim;
  o.ddim_steps = 10;
  o.ddim_eta = 0.5;
  EXPECT_TRUE(torch::equal(sample_ideal(o, 5), sample_ideal(o, 5)));
}

TEST_F(Ddpm, ClipX0BoundsTheFinalSamples) {
  // A network predicting a huge eps drives x0_hat far out; clipping keeps the last step inside [-1, 1].
  struct HugeEps final : Denoiser {
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor&, const torch::Tensor&) override {
      return torch::full_like(x, -100.0);
    }
    std::shared_ptr<Denoiser> replicate() const override { return std::make_shared<HugeEps>(); }
  } net;
  DdpmOptions o;
  o.num_timesteps = 20;
  o.ddim_steps = 20;
  o.clip_x0 = 1.0;
  for (auto sampler : {DdpmSampler::ancestral, DdpmSampler::ddim}) {
    o.sampler = sampler;
    DdpmMethod method(o);
    auto gen = make_generator(6, 0, Stream::Sample);
    auto x = method.sample(net, {64, 2}, {}, gen);
    EXPECT_LE(x.abs().max().item<double>(), 1.0 + 1e-6);
  }
}

TEST_F(Ddpm, RejectsInvalidOptions) {
  DdpmOptions o;
  o.ddim_steps = 1001;
  EXPECT_THROW(DdpmMethod{o}, UsageError);
  o = {};
  o.beta_end = 1.5;
  EXPECT_THROW(DdpmMethod{o}, UsageError);
}

}  // namespace
}  // namespace retrain
