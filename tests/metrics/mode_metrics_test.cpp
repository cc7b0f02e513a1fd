// Mode statistics and the point_metrics entry point on synthetic inputs with known answers.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

#include "retrain/data/toy2d_source.hpp"
#include "retrain/metrics/mode_metrics.hpp"
#include "retrain/metrics/point_metrics.hpp"

namespace retrain {
namespace {

ModeInfo eight_modes() { return *Toy2dSource("8gaussians").modes(); }

torch::Tensor true_draw(std::int64_t n, std::uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  return Toy2dSource("8gaussians").draw(1, n, gen)[0];
}

TEST(ModeStatistics, PointsExactlyAtTheCentresHaveZeroSpread) {
  const auto m = eight_modes();
  const auto stats = mode_statistics(m.centers.repeat({10, 1}), m.centers, m.std);
  EXPECT_EQ(stats.modes_covered, 8);
  EXPECT_DOUBLE_EQ(stats.coverage, 1.0);
  EXPECT_DOUBLE_EQ(stats.within_3sigma, 1.0);
  EXPECT_DOUBLE_EQ(stats.std_ratio, 0.0);
  EXPECT_DOUBLE_EQ(stats.offset, 0.0);
}

TEST(ModeStatistics, ATrueDrawHasRatioOneAndFullCoverage) {
  const auto m = eight_modes();
  const auto stats = mode_statistics(true_draw(40000, 3), m.centers, m.std);
  EXPECT_EQ(stats.modes_covered, 8);
  EXPECT_NEAR(stats.within_3sigma, 1 - std::exp(-4.5), 0.003);
  EXPECT_NEAR(stats.std_ratio, 1.0, 0.02);
  EXPECT_LT(stats.offset, 0.05);
}

TEST(ModeStatistics, HalfTheTrueSpreadGivesRatioOneHalf) {
  const auto m = eight_modes();
  const auto x = true_draw(40000, 4);
  const auto [dist, nearest] = at::cdist(x, m.centers).min(1);
  const auto centre = m.centers.index({nearest});
  EXPECT_NEAR(mode_statistics(centre + (x - centre) * 0.5, m.centers, m.std).std_ratio, 0.5, 0.02);
}

// Figure 1's collapse: each mode shrinks to a dot that has drifted away from its true centre. The spread
// is measured about the dot, so it reads as collapse (0.2), and the drift shows in the offset (1.5 std).
TEST(ModeStatistics, TightClumpsOffTheCentreAreCollapsedModesWithAnOffset) {
  const auto m = eight_modes();
  const auto x = true_draw(40000, 5);
  const auto [dist, nearest] = at::cdist(x, m.centers).min(1);
  const auto centre = m.centers.index({nearest});
  const auto shift = torch::tensor({1.5 * m.std, 0.0}, x.options());
  const auto stats = mode_statistics(centre + shift + (x - centre) * 0.2, m.centers, m.std);
  EXPECT_EQ(stats.modes_covered, 8);
  EXPECT_NEAR(stats.std_ratio, 0.2, 0.01);
  EXPECT_NEAR(stats.offset, 1.5, 0.02);
}

TEST(ModeStatistics, CoverageCountsModesWithEnoughNearSamples) {
  const auto m = eight_modes();
  // 1000 points at mode 0, 500 at mode 3, 5 at mode 5: N / K = 188.1, so a mode needs >= 18.8 near points.
  const auto x = torch::cat({m.centers[0].expand({1000, 2}), m.centers[3].expand({500, 2}), m.centers[5].expand({5, 2})});
  const auto stats = mode_statistics(x, m.centers, m.std);
  EXPECT_EQ(stats.modes_covered, 2);
  EXPECT_DOUBLE_EQ(stats.coverage, 0.25);
  EXPECT_EQ(mode_statistics(x, m.centers, m.std, /*min_share=*/0.01).modes_covered, 3);
}

TEST(ModeStatistics, FarAwaySamplesCoverNothing) {
  const auto m = eight_modes();
  const auto stats = mode_statistics(torch::full({100, 2}, 50.0, torch::kFloat64), m.centers, m.std);
  EXPECT_EQ(stats.modes_covered, 0);
  EXPECT_DOUBLE_EQ(stats.within_3sigma, 0.0);
  EXPECT_TRUE(std::isnan(stats.std_ratio));
  EXPECT_TRUE(std::isnan(stats.offset));
}

TEST(PointMetrics, ReturnsAFlatObjectOfNamedNumbers) {
  const auto x = true_draw(2000, 1), y = true_draw(2000, 2);
  const auto plain = point_metrics(x, y);
  EXPECT_EQ(plain.size(), 2u);
  EXPECT_TRUE(plain.at("sw2").is_number());
  EXPECT_TRUE(plain.at("energy_distance").is_number());

  const auto m = eight_modes();
  PointMetricOptions options;
  options.mode_centers = m.centers;
  options.mode_std = m.std;
  const auto full = point_metrics(x, y, options);
  EXPECT_EQ(full.size(), 7u);
  for (const auto& [key, value] : full.items()) EXPECT_TRUE(value.is_number()) << key;
  EXPECT_EQ(full.at("modes_covered").get<int>(), 8);
  EXPECT_DOUBLE_EQ(full.at("sw2").get<double>(), plain.at("sw2").get<double>());

  const auto nowhere = point_metrics(torch::full({10, 2}, 50.0, torch::kFloat64), y, options);
  EXPECT_TRUE(nowhere.at("mode_std_ratio").is_null());
  EXPECT_TRUE(nowhere.at("mode_offset").is_null());
}

}  // namespace
}  // namespace retrain
