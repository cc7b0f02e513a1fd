// End to end: each method, with a small MlpDenoiser and the Trainer, learns a 2-D Gaussian and its
// EMA network samples it back (mean and std within tolerance).
#include <gtest/gtest.h>
#include <torch/cuda.h>

#include "diffusion/test_helpers.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/diffusion/make_method.hpp"
#include "retrain/models/mlp_denoiser.hpp"
#include "retrain/train/trainer.hpp"

namespace retrain {
namespace {

using LearnsGaussian = test::SingleThreaded;

const std::vector<double> kMean = {1.0, -0.5};
constexpr double kStd = 0.5;

// Trains on 2000 points of N(kMean, kStd^2 I) for `images` images in batches of `batch` on `device`;
// returns 3000 samples of the EMA network.
torch::Tensor learn_and_sample(const MethodOptions& method_options, std::int64_t images, std::int64_t batch,
                               torch::Device device = torch::kCPU) {
  torch::manual_seed(0);
  MlpDenoiserOptions net_options;
  net_options.width = 64;
  net_options.depth = 2;
  net_options.embedding_dim = 32;
  TrainerOptions opts;
  opts.lr = 2e-3;
  opts.batch_size = batch;
  opts.ema.halflife_kimg = 25;
  auto method = make_method(method_options);
  auto net = std::make_shared<MlpDenoiser>(net_options);
  net->to(device);
  Trainer trainer(net, method, opts);
  auto data_gen = make_generator(1, 0, Stream::RealData);
  auto data = (at::randn({2000, 2}, data_gen) * kStd + torch::tensor(kMean, torch::kFloat32)).to(device);
  auto fit_gen = make_generator(1, 0, Stream::Fit);
  const auto stats = trainer.fit(data, {}, images, fit_gen);
  EXPECT_LT(stats.loss_last, stats.loss_first);
  auto sample_gen = make_generator(1, 0, Stream::Sample);
  auto samples = method->sample(*trainer.ema(), {3000, 2}, {}, sample_gen);
  EXPECT_EQ(samples.device(), device);
  return samples;
}

TEST_F(LearnsGaussian, Ddpm) {
  MethodOptions o;
  o.type = MethodType::ddpm;
  test::expect_gaussian(learn_and_sample(o, 400'000, 256), kMean, kStd, 0.1, 0.1);
}

TEST_F(LearnsGaussian, Edm) {
  MethodOptions o;
  o.type = MethodType::edm;
  o.steps = 32;  // 18 Heun steps alone overshoot this narrow Gaussian's std by ~5.5% (see edm_test.cpp)
  test::expect_gaussian(learn_and_sample(o, 400'000, 256), kMean, kStd, 0.1, 0.1);
}

TEST_F(LearnsGaussian, FlowMatchingWithMinibatchOt) {
  MethodOptions o;
  o.type = MethodType::cfm;
  o.cfm.coupling = FlowCoupling::minibatch_ot;
  o.sampler = SamplerChoice::heun;
  o.steps = 20;
  // Batches of 128 keep the O(n^3) assignment per step cheap.
  test::expect_gaussian(learn_and_sample(o, 200'000, 128), kMean, kStd, 0.1, 0.1);
}

TEST_F(LearnsGaussian, EdmOnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "needs a GPU";
  MethodOptions o;
  o.type = MethodType::edm;
  o.steps = 32;
  test::expect_gaussian(learn_and_sample(o, 400'000, 256, torch::kCUDA), kMean, kStd, 0.1, 0.1);
}

}  // namespace
}  // namespace retrain
