// Sliced Wasserstein-2 and energy distance: exact small cases, brute force, and two-sample sanity.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "retrain/data/toy2d_source.hpp"
#include "retrain/metrics/energy_distance.hpp"
#include "retrain/metrics/sliced_wasserstein.hpp"

namespace retrain {
namespace {

torch::Tensor f64(std::vector<double> values) { return torch::tensor(values, torch::kFloat64); }

torch::Tensor eight_gaussians(std::int64_t n, std::uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  return Toy2dSource("8gaussians").draw(1, n, gen)[0];
}

TEST(SlicedWasserstein, OneDimensionalW2MatchesHandComputedValues) {
  // Equal sizes: sorted pairs (0,1), (1,2), (2,3) -> W2^2 = 1 regardless of the input order.
  EXPECT_DOUBLE_EQ(wasserstein2_squared_1d(f64({2, 0, 1}).view({1, 3}), f64({3, 1, 2}).view({1, 3})).item<double>(), 1.0);
  // Unequal sizes: quantiles of {0, 1} and {0, 0.5, 1} differ by 0.5 on (1/3, 2/3): 0.25 / 3.
  EXPECT_NEAR(wasserstein2_squared_1d(f64({0, 1}).view({1, 2}), f64({0, 0.5, 1}).view({1, 3})).item<double>(),
              0.25 / 3, 1e-15);
  // The same distribution with repeated points is at distance 0.
  EXPECT_NEAR(wasserstein2_squared_1d(f64({0, 1}).view({1, 2}), f64({1, 0, 1, 0}).view({1, 4})).item<double>(), 0.0,
              1e-15);
  // The step-function path for unequal sizes agrees with the sorted-pairs path: repeating every point of
  // b twice leaves its distribution unchanged.
  const auto a = torch::randn({3, 50}, torch::kFloat64), b = torch::randn({3, 50}, torch::kFloat64) + 0.3;
  EXPECT_TRUE(torch::allclose(wasserstein2_squared_1d(a, b), wasserstein2_squared_1d(a, b.repeat_interleave(2, 1))));
  // Batched over rows.
  const auto batched = wasserstein2_squared_1d(f64({0, 1, 5, 5}).view({2, 2}), f64({1, 2, 5, 5}).view({2, 2}));
  EXPECT_TRUE(torch::allclose(batched, f64({1, 0})));
}

TEST(SlicedWasserstein, ShiftedCloudIsAtItsShiftOverRootTwo) {
  const auto x = eight_gaussians(1000, 1);
  const auto shift = f64({3, 0});
  // Per direction theta the W2 of a pure shift is |theta . v|; its mean square on the circle is |v|^2 / 2.
  EXPECT_NEAR(sliced_wasserstein2(x, x + shift, 1000, 7), 3 / std::sqrt(2.0), 0.1);
}

TEST(SlicedWasserstein, NearZeroForTwoDrawsOfOneDistributionLargerWhenShifted) {
  const auto x = eight_gaussians(4000, 1), y = eight_gaussians(4000, 2), z = eight_gaussians(3000, 3);
  EXPECT_LT(sliced_wasserstein2(x, y, 128, 0), 0.1);
  EXPECT_LT(sliced_wasserstein2(x, z, 128, 0), 0.1);  // unequal sizes
  EXPECT_GT(sliced_wasserstein2(x, y + f64({1, 0}), 128, 0), 0.5);
  EXPECT_DOUBLE_EQ(sliced_wasserstein2(x, y, 64, 5), sliced_wasserstein2(x, y, 64, 5));
}

TEST(EnergyDistance, MatchesBruteForceOnATinyExample) {
  const auto x = f64({0, 0, 1, 0, 0, 2, -1, 3, 2, 2}).view({5, 2});
  const auto y = f64({1, 1, 3, -1, 0.5, 0.25, -2, 0}).view({4, 2});
  auto mean_dist = [](const torch::Tensor& a, const torch::Tensor& b) {
    double sum = 0;
    for (std::int64_t i = 0; i < a.size(0); ++i)
      for (std::int64_t j = 0; j < b.size(0); ++j)
        sum += std::hypot(a[i][0].item<double>() - b[j][0].item<double>(), a[i][1].item<double>() - b[j][1].item<double>());
    return sum / static_cast<double>(a.size(0) * b.size(0));
  };
  const double expected = 2 * mean_dist(x, y) - mean_dist(x, x) - mean_dist(y, y);
  EXPECT_NEAR(energy_distance(x, y), expected, 1e-12);
  EXPECT_EQ(energy_distance(x, x), 0.0);
}

TEST(EnergyDistance, ChunkedMeanMatchesOneShotComputation) {
  const auto x = eight_gaussians(3000, 4), y = eight_gaussians(2500, 5);  // several row chunks
  EXPECT_NEAR(mean_pairwise_distance(x, y), at::cdist(x, y, 2.0, 2).mean().item<double>(), 1e-9);
}

TEST(EnergyDistance, NearZeroForTwoDrawsOfOneDistributionLargerWhenShifted) {
  const auto x = eight_gaussians(4000, 1), y = eight_gaussians(4000, 2);
  const double same = energy_distance(x, y), shifted = energy_distance(x, y + f64({1, 0}));
  EXPECT_GE(same, 0.0);
  EXPECT_LT(same, 0.01);
  EXPECT_GT(shifted, 0.2);
}

}  // namespace
}  // namespace retrain
