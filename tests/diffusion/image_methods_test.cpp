// What images add to the methods: VP preconditioning and loss in EDM's terms, the VP sampler driven by
// the ideal Gaussian denoiser, classifier-free guidance, DDIM's quadratic steps, uint8 quantisation.
#include <gtest/gtest.h>

#include <cmath>

#include "diffusion/test_helpers.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/data/quantize.hpp"
#include "retrain/diffusion/ddpm.hpp"
#include "retrain/diffusion/edm.hpp"
#include "retrain/learners/diffusion_learner.hpp"

namespace retrain {
namespace {

using ImageMethods = test::SingleThreaded;

EdmOptions vp_options() {
  EdmOptions o;
  o.preconditioning = EdmPreconditioning::vp;
  return o;
}

TEST_F(ImageMethods, VpPreconditioningMatchesHandComputedValues) {
  EdmMethod vp(vp_options());
  // sigma = 1: c_skip 1, c_out -1, c_in 1/sqrt(2), c_noise = 999 (sqrt(0.1^2 + 2 19.9 ln 2) - 0.1) / 19.9.
  auto c = vp.preconditioning(torch::tensor({1.0}, torch::kFloat64));
  EXPECT_DOUBLE_EQ(c.c_skip.item<double>(), 1.0);
  EXPECT_DOUBLE_EQ(c.c_out.item<double>(), -1.0);
  EXPECT_NEAR(c.c_in.item<double>(), 0.7071067811865475, 1e-15);
  EXPECT_NEAR(c.c_noise.item<double>(), 258.7013021703638, 1e-9);
  // sigma(t) at t = 0.5: sqrt(exp(19.9 / 8 + 0.05) - 1), and sigma_inv undoes it.
  auto t = torch::tensor({0.5, 1e-5, 1.0}, torch::kFloat64);
  EXPECT_NEAR(vp.vp_sigma(t)[0].item<double>(), 3.41291830906912, 1e-12);
  EXPECT_TRUE(torch::allclose(vp.vp_sigma_inv(vp.vp_sigma(t)), t, 1e-9, 1e-12));
}

TEST_F(ImageMethods, VpSamplerStepsStayInsideTheTrainedSigmaRange) {
  auto o = vp_options();
  o.sigma_max = 500;  // above sigma(1) ~ 152: clipped
  auto steps = EdmMethod(o).time_steps();
  const double sigma_1 = std::sqrt(std::exp(0.5 * 19.9 + 0.1) - 1);
  EXPECT_NEAR(steps[0].item<double>(), sigma_1, 1e-9);
  EXPECT_NEAR(steps[o.num_steps - 1].item<double>(), 0.002, 1e-12);  // sigma(1e-5) ~ 0.001 < 0.002
}

// The VP network F that makes D = x - sigma F the ideal denoiser of N(m, s^2): F = (x - D) / sigma.
class IdealVpF final : public Denoiser {
 public:
  // A float64 parameter makes the sampler feed the network in float64 (c_noise = 999 t loses digits in float32).
  IdealVpF(const EdmMethod& method, double m, double s) : method_(method), m_(m), s_(s) {
    register_parameter("precision", torch::zeros({1}, torch::kFloat64), false);
  }
  torch::Tensor forward(const torch::Tensor& x_in, const torch::Tensor& c_noise, const torch::Tensor&) override {
    auto sigma = method_.vp_sigma(c_noise.to(torch::kFloat64) / 999.0).unsqueeze(1);
    auto x = x_in.to(torch::kFloat64) * (sigma.square() + 1).sqrt();
    auto d = m_ + s_ * s_ / (s_ * s_ + sigma.square()) * (x - m_);
    return ((x - d) / sigma).to(x_in.scalar_type());
  }
  std::shared_ptr<Denoiser> replicate() const override { return std::make_shared<IdealVpF>(method_, m_, s_); }

 private:
  const EdmMethod& method_;
  double m_, s_;
};

TEST_F(ImageMethods, VpHeunWithTheIdealDenoiserReproducesTheGaussian) {
  auto o = vp_options();
  o.num_steps = 64;  // 18 Heun steps scale the result by ~1.06 at s = 0.4 (discretisation, not a bug)
  EdmMethod vp(o);
  IdealVpF net(vp, 0.7, 0.4);
  auto gen = make_generator(3, 0, Stream::Sample);
  auto x = vp.sample(net, {4000, 2}, {}, gen);
  test::expect_gaussian(x, {0.7, 0.7}, 0.4, 0.03, 0.05);
}

TEST_F(ImageMethods, VpLossIsFiniteAndWeightedByInverseSigmaSquared) {
  EdmMethod vp(vp_options());
  struct Zero final : Denoiser {
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor&, const torch::Tensor&) override { return x * 0; }
    std::shared_ptr<Denoiser> replicate() const override { return std::make_shared<Zero>(); }
  } zero;
  // F = 0: D(x) = x0 + sigma n, so the weighted loss is |n|^2 summed: about D per sample.
  auto gen = make_generator(1, 0, Stream::Fit);
  auto loss = vp.loss(zero, torch::zeros({20000, 3}), {}, gen);
  EXPECT_TRUE(loss.isfinite().all().item<bool>());
  EXPECT_NEAR(loss.mean().item<double>(), 3.0, 0.1);
}

// Exposes the guided evaluation; the network outputs 1 for a class and 0 for "no class" (-1).
struct GuidanceProbe final : Method {
  torch::Tensor keyed_loss(Denoiser&, const torch::Tensor& x0, const torch::Tensor&, at::Generator&,
                           const torch::Tensor&) const override {
    return x0;
  }
  torch::Tensor sample(Denoiser&, std::vector<std::int64_t> shape, const torch::Tensor&, SampleNoise) const override {
    return torch::zeros(shape);
  }
  using Method::evaluate_guided;
};
struct ClassIndicator final : Denoiser {
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor&, const torch::Tensor& labels) override {
    return labels.ge(0).to(x.scalar_type()).unsqueeze(1).expand_as(x).clone();
  }
  std::shared_ptr<Denoiser> replicate() const override { return std::make_shared<ClassIndicator>(); }
};

TEST_F(ImageMethods, ClassifierFreeGuidanceExtrapolatesFromTheUnconditionalOutput) {
  GuidanceProbe probe;
  ClassIndicator net;
  auto x = torch::zeros({4, 2});
  auto level = torch::zeros({4});
  auto labels = torch::tensor({0, 1, 2, 3}, torch::kLong);
  EXPECT_TRUE(torch::equal(probe.evaluate_guided(net, x, level, labels), torch::ones({4, 2})));  // w = 1: conditional
  probe.set_guidance(3.0);
  EXPECT_TRUE(torch::allclose(probe.evaluate_guided(net, x, level, labels), torch::full({4, 2}, 3.0)));
  probe.set_guidance(0.0);
  EXPECT_TRUE(torch::allclose(probe.evaluate_guided(net, x, level, labels), torch::zeros({4, 2})));
  EXPECT_THROW(probe.set_guidance(-1), std::exception);
}

TEST_F(ImageMethods, DdimStepSelectionLinearAndQuadratic) {
  DdpmOptions o;
  o.sampler = DdpmSampler::ddim;
  o.ddim_steps = 10;
  EXPECT_EQ(DdpmMethod(o).ddim_timesteps(), (std::vector<std::int64_t>{0, 100, 200, 300, 400, 500, 600, 700, 800, 900}));
  o.ddim_schedule = DdimSchedule::quadratic;  // floor(800 i^2 / 81)
  EXPECT_EQ(DdpmMethod(o).ddim_timesteps(), (std::vector<std::int64_t>{0, 9, 39, 88, 158, 246, 355, 483, 632, 800}));
  o.ddim_steps = 50;  // early steps repeat (floor(800/2401) = 0) and are dropped
  auto steps = DdpmMethod(o).ddim_timesteps();
  EXPECT_LT(steps.size(), 50u);
  for (std::size_t i = 1; i < steps.size(); ++i) EXPECT_LT(steps[i - 1], steps[i]);
}

TEST_F(ImageMethods, QuantisationInvertsTheRealImageScalingExactly) {
  auto u = torch::arange(256, torch::kLong).to(torch::kUInt8);
  EXPECT_TRUE(torch::equal(quantize_images(u.to(torch::kFloat32) / 127.5 - 1), u));
  auto edges = quantize_images(torch::tensor({-2.0f, -1.0f, 0.0f, 1.0f, 3.0f}));
  EXPECT_TRUE(torch::equal(edges, torch::tensor({0, 0, 128, 255, 255}, torch::kLong).to(torch::kUInt8)));
}

}  // namespace
}  // namespace retrain
