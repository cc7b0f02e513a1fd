// method.sample_cuda_graphs: every sampler (EDM Heun with churn, DDPM ancestral, DDIM, flow matching)
// draws the same samples on a GPU with its network calls replayed from a CUDA graph as without.
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "retrain/models/model_options.hpp"
#include "retrain/diffusion/ddpm.hpp"
#include "retrain/diffusion/draw_samples.hpp"
#include "retrain/diffusion/edm.hpp"
#include "retrain/diffusion/flow_matching.hpp"
#include "retrain/models/make_network.hpp"

namespace retrain {
namespace {

std::vector<std::shared_ptr<Method>> samplers() {
  EdmOptions heun;
  heun.num_steps = 5;
  heun.s_churn = 10;
  DdpmOptions ancestral;
  ancestral.num_timesteps = 12;
  DdpmOptions ddim = ancestral;
  ddim.sampler = DdpmSampler::ddim;
  ddim.ddim_steps = 4;
  ddim.ddim_eta = 0.5;
  FlowMatchingOptions flow;
  flow.num_steps = 4;
  flow.sampler = FlowSampler::heun;
  return {std::make_shared<EdmMethod>(heun), std::make_shared<DdpmMethod>(ancestral), std::make_shared<DdpmMethod>(ddim),
          std::make_shared<FlowMatchingMethod>(flow)};
}

TEST(SamplerGraphs, CudaGraphsDrawTheSameSamples) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "needs a GPU";
  torch::manual_seed(3);
  ModelOptions m;
  m.arch = Arch::ddpmpp;
  m.channels = 16;
  m.channel_mult = {1, 2};
  m.num_blocks = 1;
  m.attn_resolutions = {4};
  auto net = make_network(m, {3, 8, 8}, 4);
  net->to(torch::kCUDA);
  const std::vector<std::uint64_t> seeds{5, 6, 7, 8, 9};
  const DrawOptions options{{3, 8, 8}, 4, std::nullopt, 3};  // 4 classes; batches of 3 and 2: two graphs
  for (const auto& method : samplers()) {
    method->set_guidance(1.5);
    method->set_sample_cuda_graphs(false);
    const auto eager = draw_samples(*method, *net, 5, SampleNoise::per_sample(seeds), options);
    method->set_sample_cuda_graphs(true);
    const auto graphed = draw_samples(*method, *net, 5, SampleNoise::per_sample(seeds), options);
    EXPECT_TRUE(torch::equal(eager.labels, graphed.labels));
    EXPECT_TRUE(torch::allclose(eager.x, graphed.x, 1e-5, 1e-5)) << "max difference " << (eager.x - graphed.x).abs().max();
  }
}

}  // namespace
}  // namespace retrain
