// A sample depends only on its seed: every sampler that draws noise after the initial latents (EDM with
// churn, DDPM ancestral, DDIM with eta > 0) gives bit-identical samples whether they are drawn in one
// batch or several, and labels likewise, in both noise modes. torch mode's latents are
// torch.randn of a CPU generator seeded with the sample's seed.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include <memory>

#include "diffusion/test_helpers.hpp"
#include "retrain/diffusion/ddpm.hpp"
#include "retrain/diffusion/draw_samples.hpp"
#include "retrain/diffusion/edm.hpp"
#include "retrain/diffusion/flow_matching.hpp"

namespace retrain {
namespace {

using SampleIndependence = test::SingleThreaded;

// A fixed, batch-independent "network": each sample's output depends on that sample alone.
struct ScaledInput final : Denoiser {
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& level, const torch::Tensor& labels) override {
    auto out = 0.3 * x + 0.01 * level.view({-1, 1});
    return labels.defined() ? out + 0.1 * labels.to(out.scalar_type()).view({-1, 1}) : out;
  }
  std::shared_ptr<Denoiser> replicate() const override { return std::make_shared<ScaledInput>(); }
};

std::vector<std::shared_ptr<Method>> stochastic_methods() {
  EdmOptions churn;
  churn.num_steps = 6;
  churn.s_churn = 20;
  DdpmOptions ancestral;
  ancestral.num_timesteps = 20;
  ancestral.ddim_steps = 5;
  DdpmOptions ddim = ancestral;
  ddim.sampler = DdpmSampler::ddim;
  ddim.ddim_steps = 5;
  ddim.ddim_eta = 1.0;
  FlowMatchingOptions flow;
  flow.num_steps = 4;
  return {std::make_shared<EdmMethod>(churn), std::make_shared<DdpmMethod>(ancestral), std::make_shared<DdpmMethod>(ddim),
          std::make_shared<FlowMatchingMethod>(flow)};
}

TEST_F(SampleIndependence, SamplesAndLabelsDoNotDependOnTheBatch) {
  const std::vector<std::uint64_t> seeds = {3, 1, 4, 1000, 5, 9, 2};
  ScaledInput net;
  for (auto mode : {NoiseMode::philox, NoiseMode::torch}) {
    for (const auto& method : stochastic_methods()) {
      DrawOptions whole{{3}, 5, std::nullopt, 7};
      DrawOptions pieces = whole;
      pieces.batch = 3;
      const auto a = draw_samples(*method, net, 7, SampleNoise::per_sample(seeds, mode), whole);
      const auto b = draw_samples(*method, net, 7, SampleNoise::per_sample(seeds, mode), pieces);
      EXPECT_TRUE(torch::equal(a.x, b.x)) << "mode " << int(mode);
      EXPECT_TRUE(torch::equal(a.labels, b.labels)) << "mode " << int(mode);
      // Sample 2 alone (seed 4) equals row 2.
      const auto alone = draw_samples(*method, net, 1, SampleNoise::per_sample({4}, mode), whole);
      EXPECT_TRUE(torch::equal(alone.x[0], a.x[2])) << "mode " << int(mode);
      EXPECT_FALSE(torch::equal(a.x[0], a.x[1]));
    }
  }
}

TEST_F(SampleIndependence, TorchModeLatentsAreTorchRandnOfTheSeed) {
  auto noise = SampleNoise::per_sample({7, 8}, NoiseMode::torch);
  auto latents = noise.randn({2, 3, 4}, torch::kFloat32);
  auto gen = at::detail::createCPUGenerator(8);
  EXPECT_TRUE(torch::equal(latents[1], at::randn({3, 4}, gen, torch::kFloat32)));
}

TEST_F(SampleIndependence, PhiloxModeLatentsAreThePhiloxStreamOfTheSeed) {
  auto noise = SampleNoise::per_sample({7, 8});
  auto latents = noise.randn({2, 3, 4}, torch::kFloat64);
  auto again = SampleNoise::per_sample({8}).randn({1, 3, 4}, torch::kFloat64);
  EXPECT_TRUE(torch::equal(latents[1], again[0]));
  EXPECT_FALSE(torch::equal(latents[1], at::randn({3, 4}, at::detail::createCPUGenerator(8), torch::kFloat64)));
}

}  // namespace
}  // namespace retrain
