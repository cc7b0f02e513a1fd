// SampleNoise: shared noise equals the generator's own draws; per-sample noise gives row i from seed i
// whatever the batch, and per-sample labels likewise.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include "retrain/loop/config.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/diffusion/sample_noise.hpp"

namespace retrain {
namespace {

TEST(SampleNoise, SharedNoiseIsTheGeneratorsOwnSequence) {
  auto a = at::detail::createCPUGenerator(7), b = at::detail::createCPUGenerator(7);
  SampleNoise noise(a);
  EXPECT_TRUE(torch::equal(noise.randn({3, 4}, torch::kFloat32), at::randn({3, 4}, b, torch::kFloat32)));
  EXPECT_EQ(noise.rows(), -1);
}

TEST(SampleNoise, PerSampleRowsDependOnlyOnTheirSeed) {
  for (auto mode : {NoiseMode::philox, NoiseMode::torch}) {
    auto whole = SampleNoise::per_sample({1, 2, 3, 4}, mode);
    auto x = whole.randn({4, 5}, torch::kFloat64);
    auto alone = SampleNoise::per_sample({3}, mode);
    EXPECT_TRUE(torch::equal(alone.randn({1, 5}, torch::kFloat64)[0], x[2]));
    EXPECT_FALSE(torch::equal(x[0], x[1]));
    // Slices continue each row's stream where the source is.
    auto again = SampleNoise::per_sample({1, 2, 3, 4}, mode);
    auto first = again.slice(0, 2).randn({2, 5}, torch::kFloat64);
    auto second = again.slice(2, 4).randn({2, 5}, torch::kFloat64);
    EXPECT_TRUE(torch::equal(torch::cat({first, second}), x));
    // A second draw differs from the first.
    EXPECT_FALSE(torch::equal(whole.randn({4, 5}, torch::kFloat64), x));
    EXPECT_THROW(whole.randn({3, 5}, torch::kFloat64), std::invalid_argument);
  }
}

TEST(SampleNoise, PerSampleLabelsComeFromEachSeed) {
  for (auto mode : {NoiseMode::philox, NoiseMode::torch}) {
    auto a = SampleNoise::per_sample({10, 11, 12}, mode).randint(10, 3);
    auto b = SampleNoise::per_sample({12}, mode).randint(10, 1);
    EXPECT_EQ(a[2].item<std::int64_t>(), b[0].item<std::int64_t>());
    EXPECT_TRUE((a >= 0).all().item<bool>() && (a < 10).all().item<bool>());
  }
  auto many = SampleNoise::per_sample(std::vector<std::uint64_t>(2000, 0)).randint(10, 2000);
  EXPECT_TRUE((many == many[0]).all().item<bool>()) << "one seed, one label";
}

TEST(SampleNoise, ParsesTheConfigNames) {
  EXPECT_EQ(parse_choice<NoiseMode>("philox"), NoiseMode::philox);
  EXPECT_EQ(parse_choice<NoiseMode>("torch"), NoiseMode::torch);
  EXPECT_FALSE(parse_choice<NoiseMode>("cuda"));
  EXPECT_THROW(load_config_text("method: {noise: cuda}", "test.yaml"), UsageError);
}

}  // namespace
}  // namespace retrain
