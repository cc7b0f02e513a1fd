// solve_assignment: optimal against brute force on small matrices, no improving swap on larger ones.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "retrain/diffusion/assignment.hpp"

namespace retrain {
namespace {

double total(const torch::Tensor& cost, const std::vector<std::int64_t>& col) {
  auto a = cost.accessor<double, 2>();
  double s = 0;
  for (std::size_t i = 0; i < col.size(); ++i) s += a[static_cast<std::int64_t>(i)][col[i]];
  return s;
}

bool is_permutation(std::vector<std::int64_t> col) {
  std::sort(col.begin(), col.end());
  for (std::size_t i = 0; i < col.size(); ++i)
    if (col[i] != static_cast<std::int64_t>(i)) return false;
  return true;
}

TEST(Assignment, MatchesBruteForceOnSmallMatrices) {
  torch::manual_seed(3);
  for (int trial = 0; trial < 20; ++trial) {
    const std::int64_t n = 1 + trial % 7;
    auto cost = torch::rand({n, n}, torch::kFloat64) * 10 - 3;
    std::vector<std::int64_t> perm(n);
    std::iota(perm.begin(), perm.end(), 0);
    double best = std::numeric_limits<double>::infinity();
    do best = std::min(best, total(cost, perm));
    while (std::next_permutation(perm.begin(), perm.end()));
    const auto col = solve_assignment(cost);
    ASSERT_TRUE(is_permutation(col));
    EXPECT_NEAR(total(cost, col), best, 1e-12) << "n = " << n;
  }
}

TEST(Assignment, NoPairSwapImprovesALargeSolution) {
  torch::manual_seed(4);
  const std::int64_t n = 300;
  auto x = torch::randn({n, 2}, torch::kFloat64), y = torch::randn({n, 2}, torch::kFloat64);
  auto cost = torch::cdist(x, y).square();
  const auto col = solve_assignment(cost);
  ASSERT_TRUE(is_permutation(col));
  auto a = cost.accessor<double, 2>();
  double worst_gain = 0;
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t j = i + 1; j < n; ++j)
      worst_gain = std::max(worst_gain, a[i][col[i]] + a[j][col[j]] - a[i][col[j]] - a[j][col[i]]);
  EXPECT_LE(worst_gain, 1e-9);
  std::vector<std::int64_t> identity(n);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_LT(total(cost, col), total(cost, identity));
}

TEST(Assignment, RejectsNonSquareOrNonFiniteCosts) {
  EXPECT_THROW(solve_assignment(torch::zeros({2, 3})), c10::Error);
  EXPECT_THROW(solve_assignment(torch::tensor({{0.0, NAN}, {1.0, 2.0}})), c10::Error);
}

}  // namespace
}  // namespace retrain
