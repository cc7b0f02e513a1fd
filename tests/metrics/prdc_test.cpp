// Precision, recall, density and coverage: a brute-force reference, tile invariance, clouds from one
// distribution and far-apart clouds, and the input checks.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "retrain/core/errors.hpp"
#include "test_support.hpp"
#include "retrain/metrics/prdc.hpp"

namespace retrain {
namespace {

const auto kF64 = torch::TensorOptions().dtype(torch::kFloat64);

torch::Tensor gaussian_cloud(std::int64_t n, std::int64_t d, std::uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  return at::randn({n, d}, gen, kF64);
}

using Rows = std::vector<std::vector<double>>;

Rows rows_of(const torch::Tensor& points) {
  Rows rows;
  for (std::int64_t i = 0; i < points.size(0); ++i) {
    const auto row = points[i].contiguous();
    rows.emplace_back(row.data_ptr<double>(), row.data_ptr<double>() + row.numel());
  }
  return rows;
}

double distance(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0;
  for (std::size_t c = 0; c < a.size(); ++c) sum += (a[c] - b[c]) * (a[c] - b[c]);
  return std::sqrt(sum);
}

// Distance from each point to its k-th nearest other point, by sorting all the others.
std::vector<double> brute_force_radii(const Rows& set, std::int64_t k) {
  std::vector<double> radii;
  for (std::size_t i = 0; i < set.size(); ++i) {
    std::vector<double> others;
    for (std::size_t j = 0; j < set.size(); ++j)
      if (j != i) others.push_back(distance(set[i], set[j]));
    std::sort(others.begin(), others.end());
    radii.push_back(others[k - 1]);
  }
  return radii;
}

// The four definitions written out literally over every real-fake pair.
Prdc brute_force_prdc(const Rows& real, const Rows& fake, std::int64_t k) {
  const auto real_radii = brute_force_radii(real, k), fake_radii = brute_force_radii(fake, k);
  const double n = static_cast<double>(real.size()), m = static_cast<double>(fake.size());
  double precise = 0, balls = 0, recalled = 0, covered = 0;
  for (std::size_t j = 0; j < fake.size(); ++j) {
    int containing = 0;
    for (std::size_t i = 0; i < real.size(); ++i) containing += distance(real[i], fake[j]) <= real_radii[i];
    precise += containing > 0;
    balls += containing;
  }
  for (std::size_t i = 0; i < real.size(); ++i) {
    bool in_a_fake_ball = false;
    double nearest = INFINITY;
    for (std::size_t j = 0; j < fake.size(); ++j) {
      in_a_fake_ball = in_a_fake_ball || distance(real[i], fake[j]) <= fake_radii[j];
      nearest = std::min(nearest, distance(real[i], fake[j]));
    }
    recalled += in_a_fake_ball;
    covered += nearest <= real_radii[i];
  }
  return {precise / m, recalled / n, balls / (static_cast<double>(k) * m), covered / n};
}

void expect_same(const Prdc& actual, const Prdc& expected, double tolerance) {
  EXPECT_NEAR(actual.precision, expected.precision, tolerance);
  EXPECT_NEAR(actual.recall, expected.recall, tolerance);
  EXPECT_NEAR(actual.density, expected.density, tolerance);
  EXPECT_NEAR(actual.coverage, expected.coverage, tolerance);
}

TEST(Prdc, TiledComputationMatchesABruteForceReference) {
  const auto real = gaussian_cloud(60, 5, 1), fake = 1.2 * gaussian_cloud(45, 5, 2) + 0.3;
  for (std::int64_t k : {1, 3, 5}) {
    SCOPED_TRACE("k = " + std::to_string(k));
    const auto expected = brute_force_prdc(rows_of(real), rows_of(fake), k);
    expect_same(precision_recall_density_coverage(real, fake, {.k = k, .tile = 7}), expected, 1e-15);
    EXPECT_GT(expected.precision, 0.1);  // partly overlapping clouds: no count is trivially 0 or all
    EXPECT_LT(expected.precision, 1.0);
    EXPECT_TRUE(torch::allclose(kth_neighbour_distances(real, k, 7), torch::tensor(brute_force_radii(rows_of(real), k), kF64),
                                1e-12, 1e-12));
  }
}

TEST(Prdc, TileSizeDoesNotChangeTheResult) {
  const auto real = gaussian_cloud(300, 16, 3), fake = gaussian_cloud(250, 16, 4) + 0.2;
  expect_same(precision_recall_density_coverage(real, fake, {.k = 3, .tile = 37}),
              precision_recall_density_coverage(real, fake, {.k = 3, .tile = 4096}), 1e-12);
}

TEST(Prdc, TwoCloudsFromOneDistributionScoreHighWithDensityNearOne) {
  const auto result = precision_recall_density_coverage(gaussian_cloud(1000, 8, 5), gaussian_cloud(1000, 8, 6));
  EXPECT_GT(result.precision, 0.7);
  EXPECT_GT(result.recall, 0.7);
  EXPECT_NEAR(result.density, 1.0, 0.15);
  EXPECT_GT(result.coverage, 0.8);  // 1 - 2^-k = 0.875 expected for equal set sizes
}

TEST(Prdc, ASetAgainstItselfIsFullyPreciseRecalledAndCovered) {
  const auto points = gaussian_cloud(200, 4, 7);
  const auto result = precision_recall_density_coverage(points, points);
  EXPECT_EQ(result.precision, 1.0);  // every ball is closed and contains its own centre
  EXPECT_EQ(result.recall, 1.0);
  EXPECT_EQ(result.coverage, 1.0);
}

TEST(Prdc, FarApartCloudsScoreZero) {
  const auto result = precision_recall_density_coverage(gaussian_cloud(300, 8, 8), gaussian_cloud(300, 8, 9) + 50.0);
  expect_same(result, Prdc{0, 0, 0, 0}, 0.0);
}

TEST(Prdc, BadInputsAreUsageErrorsNamingTheValues) {
  const auto four = gaussian_cloud(4, 3, 10), many = gaussian_cloud(50, 3, 11);
  auto m = test::message_of<UsageError>([&] { precision_recall_density_coverage(many, gaussian_cloud(50, 2, 12)); });
  EXPECT_NE(m.find("real features have D = 3, the fake ones D = 2"), std::string::npos) << m;
  m = test::message_of<UsageError>([&] { precision_recall_density_coverage(four, many, {.k = 4}); });
  EXPECT_NE(m.find("k = 4 needs more than k points in the real set, which has 4"), std::string::npos) << m;
  m = test::message_of<UsageError>([&] { precision_recall_density_coverage(many, four, {.k = 5}); });
  EXPECT_NE(m.find("the fake set, which has 4"), std::string::npos) << m;
  m = test::message_of<UsageError>([&] { precision_recall_density_coverage(many, many, {.k = 0}); });
  EXPECT_NE(m.find("got 0"), std::string::npos) << m;
  m = test::message_of<UsageError>([&] { precision_recall_density_coverage(torch::zeros({0, 3}), many); });
  EXPECT_NE(m.find("real features must be a non-empty [N, D] matrix, got shape [0, 3]"), std::string::npos) << m;
  m = test::message_of<UsageError>([&] { precision_recall_density_coverage(many, many, {.k = 3, .tile = 0}); });
  EXPECT_NE(m.find("tile = 0"), std::string::npos) << m;
  m = test::message_of<UsageError>([&] { precision_recall_density_coverage(many, torch::full({5, 3}, NAN)); });
  EXPECT_NE(m.find("fake features contain NaN"), std::string::npos) << m;
}

}  // namespace
}  // namespace retrain
