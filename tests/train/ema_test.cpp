// EMA: beta from decay / half-life / ramp-up, and the update ema = beta ema + (1 - beta) net.
#include <gtest/gtest.h>

#include <cmath>

#include "retrain/models/mlp_denoiser.hpp"
#include "retrain/train/ema.hpp"

namespace retrain {
namespace {

TEST(Ema, FixedDecayIsUsedWithoutHalfLife) {
  EmaOptions o;
  o.decay = 0.99;
  EXPECT_EQ(ema_beta(o, 256, 0, 1), 0.99);
  EXPECT_EQ(ema_beta(o, 1, 1'000'000, 1), 0.99);
}

TEST(Ema, DecayWarmUpFollowsDdpmTorch) {
  EmaOptions o;
  o.decay = 0.9999;
  o.decay_warmup = true;
  EXPECT_DOUBLE_EQ(ema_beta(o, 128, 0, 1), 2.0 / 11.0);  // the first update keeps 18% of the old weights
  EXPECT_DOUBLE_EQ(ema_beta(o, 128, 128 * 99, 100), 101.0 / 110.0);
  EXPECT_EQ(ema_beta(o, 128, 0, 100'000), 0.9999);  // (1 + k) / (10 + k) > 0.9999 from k = 89,992 on
  o.decay_warmup = false;
  EXPECT_EQ(ema_beta(o, 128, 0, 1), 0.9999);
}

TEST(Ema, HalfLifeHalvesTheOldWeightEveryHalfLifeImages) {
  EmaOptions o;
  o.halflife_kimg = 10;
  const double beta = ema_beta(o, 500, 123, 1);
  EXPECT_NEAR(std::pow(beta, 10'000 / 500), 0.5, 1e-12);
}

TEST(Ema, RampUpShortensTheHalfLifeEarlyInTraining) {
  EmaOptions o;
  o.halflife_kimg = 500;
  o.rampup_ratio = 0.05;
  EXPECT_EQ(ema_beta(o, 100, 0, 1), 0.0);  // nothing seen yet: the EMA follows the net
  EXPECT_NEAR(ema_beta(o, 100, 20'000, 1), std::pow(0.5, 100.0 / 1'000), 1e-15);
  EXPECT_NEAR(ema_beta(o, 100, 100'000'000, 1), std::pow(0.5, 100.0 / 500'000), 1e-15);
}

TEST(Ema, UpdateMixesParametersAndCopiesBuffers) {
  MlpDenoiserOptions mo;
  mo.width = 8;
  mo.depth = 1;
  mo.embedding = NoiseEmbedding::fourier;  // has a buffer
  MlpDenoiser ema(mo), net(mo);
  std::vector<torch::Tensor> before;
  for (const auto& p : ema.parameters()) before.push_back(p.detach().clone());
  ema_update(ema, net, 0.9);
  const auto ep = ema.parameters(), np = net.parameters();
  for (std::size_t i = 0; i < ep.size(); ++i)
    EXPECT_TRUE(torch::allclose(ep[i], 0.9 * before[i] + 0.1 * np[i], 1e-6, 1e-7)) << "parameter " << i;
  EXPECT_TRUE(torch::equal(ema.buffers()[0], net.buffers()[0]));
}

}  // namespace
}  // namespace retrain
