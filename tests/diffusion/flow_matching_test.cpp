// FlowMatchingMethod: the conditional path and velocity target, the minibatch-OT coupling, and the
// Euler/Heun samplers driven by the ideal velocity field of a Gaussian data distribution.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "diffusion/test_helpers.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/diffusion/flow_matching.hpp"
#include "retrain/ops/philox_noise.hpp"

namespace retrain {
namespace {

using FlowMatching = test::SingleThreaded;

// E[u | x_t] for data x1 ~ N(m, s^2 I), noise x0 ~ N(0, I), x_t = a x0 + t x1 with a = 1 - c t,
// u = x1 - c x0, c = 1 - sigma_min: m + (t s^2 - c a) / (a^2 + t^2 s^2) (x_t - t m).
class IdealVelocity final : public Denoiser {
 public:
  IdealVelocity(torch::Tensor m, double s, double sigma_min) : m_(std::move(m)), s_(s), sigma_min_(sigma_min) {}
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& t_in, const torch::Tensor&) override {
    auto t = t_in.to(torch::kFloat64).unsqueeze(1);
    const double c = 1 - sigma_min_, s2 = s_ * s_;
    auto a = 1 - c * t;
    auto gain = (t * s2 - c * a) / (a.square() + t.square() * s2);
    return (m_ + gain * (x.to(torch::kFloat64) - t * m_)).to(x.scalar_type());
  }
  std::shared_ptr<Denoiser> replicate() const override {
    return std::make_shared<IdealVelocity>(m_, s_, sigma_min_);
  }

 private:
  torch::Tensor m_;
  double s_, sigma_min_;
};

// Returns its input: the loss is then mean((x_t - u)^2), which exposes x_t and u.
struct Identity final : Denoiser {
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor&, const torch::Tensor&) override { return x; }
  std::shared_ptr<Denoiser> replicate() const override { return std::make_shared<Identity>(); }
};

struct Zero final : Denoiser {
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor&, const torch::Tensor&) override {
    return torch::zeros_like(x);
  }
  std::shared_ptr<Denoiser> replicate() const override { return std::make_shared<Zero>(); }
};

const std::vector<double> kMean = {1.0, -0.5};
constexpr double kStd = 0.5;

torch::Tensor sample_ideal(const FlowMatchingOptions& options, std::uint64_t seed) {
  FlowMatchingMethod method(options);
  IdealVelocity net(torch::tensor(kMean, torch::kFloat64), kStd, options.sigma_min);
  auto gen = make_generator(seed, 0, Stream::Sample);
  return method.sample(net, {4000, 2}, {}, gen);
}

TEST_F(FlowMatching, LossRegressesTheConditionalVelocity) {
  FlowMatchingOptions o;
  o.sigma_min = 0.1;
  FlowMatchingMethod method(o);
  Identity net;
  auto x1 = torch::randn({5, 2});
  auto gen = make_generator(8, 0, Stream::Fit);
  auto loss = method.loss(net, x1, {}, gen);
  auto replay = make_generator(8, 0, Stream::Fit);
  auto x0 = ops::philox_normal(Method::batch_keys(replay, 5, torch::kCPU), 0, {5, 2}, x1.options());
  auto t = at::rand({5}, replay).unsqueeze(1);
  auto x_t = (1 - 0.9 * t) * x0 + t * x1;
  auto u = x1 - 0.9 * x0;
  EXPECT_TRUE(torch::allclose(loss, (x_t - u).square().mean(1), 1e-5, 1e-6));
}

TEST_F(FlowMatching, MinibatchOtPairsNoiseAndDataAtMinimalTotalCost) {
  FlowMatchingOptions o;
  o.coupling = FlowCoupling::minibatch_ot;
  FlowMatchingMethod method(o);
  Zero net;  // loss = mean over dims of |x1 - x0|^2 for the chosen pairing
  const std::int64_t n = 6;
  auto x1 = torch::randn({n, 2});
  auto gen = make_generator(9, 0, Stream::Fit);
  const double ot = method.loss(net, x1, {}, gen).sum().item<double>() * 2;
  auto replay = make_generator(9, 0, Stream::Fit);
  auto x0 = ops::philox_normal(Method::batch_keys(replay, n, torch::kCPU), 0, {n, 2}, x1.options());
  auto cost = torch::cdist(x1.to(torch::kFloat64), x0.to(torch::kFloat64)).square();
  std::vector<std::int64_t> perm(n);
  std::iota(perm.begin(), perm.end(), 0);
  double best = std::numeric_limits<double>::infinity();
  do {
    double s = 0;
    for (std::int64_t i = 0; i < n; ++i) s += cost[i][perm[i]].item<double>();
    best = std::min(best, s);
  } while (std::next_permutation(perm.begin(), perm.end()));
  EXPECT_NEAR(ot, best, 1e-4);
}

TEST_F(FlowMatching, EulerReproducesGaussianData) {
  test::expect_gaussian(sample_ideal({}, 1), kMean, kStd, 0.05, 0.05);
}

TEST_F(FlowMatching, HeunReproducesGaussianData) {
  FlowMatchingOptions o;
  o.sampler = FlowSampler::heun;
  o.num_steps = 20;
  test::expect_gaussian(sample_ideal(o, 2), kMean, kStd, 0.05, 0.05);
}

TEST_F(FlowMatching, HeunWithSigmaMinReproducesGaussianData) {
  FlowMatchingOptions o;
  o.sampler = FlowSampler::heun;
  o.num_steps = 20;
  o.sigma_min = 0.05;
  // At t = 1 the path keeps sigma_min of the noise: std^2 = s^2 + sigma_min^2.
  test::expect_gaussian(sample_ideal(o, 3), kMean, std::sqrt(kStd * kStd + 0.05 * 0.05), 0.05, 0.05);
}

TEST_F(FlowMatching, RejectsInvalidOptions) {
  FlowMatchingOptions o;
  o.num_steps = 0;
  EXPECT_THROW(FlowMatchingMethod{o}, UsageError);
  o = {};
  o.sigma_min = 1.0;
  EXPECT_THROW(FlowMatchingMethod{o}, UsageError);
}

}  // namespace
}  // namespace retrain
