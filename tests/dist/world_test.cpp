// World on loopback with Gloo: sums and broadcasts over ranks, and a dead rank turns into one clear
// error on the others within the timeout instead of a hang.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>

#include "dist/ranks.hpp"
#include "retrain/dist/world.hpp"

namespace retrain {
namespace {

using namespace std::chrono_literals;

TEST(World, OneProcessNeedsNoLauncherAndItsCollectivesAreTheIdentity) {
  const World world;
  EXPECT_EQ(world.size(), 1);
  EXPECT_TRUE(world.root());
  auto t = torch::arange(3.0);
  world.sum({t});
  world.broadcast({t});
  world.barrier();
  EXPECT_TRUE(torch::equal(t, torch::arange(3.0)));
}

TEST(World, SumAndBroadcastOverThreeRanks) {
  const auto codes = test::run_ranks(3, [](const World& world) {
    const double r = world.rank();
    auto a = torch::full({3}, r + 1, torch::kFloat32);
    auto b = torch::full({2, 2}, 10 * r, torch::kFloat64);
    auto c = torch::full({1}, static_cast<std::int64_t>(world.rank()), torch::kLong);
    world.sum({a, b, c});  // three shapes, two dtypes
    if (!torch::equal(a, torch::full({3}, 6.0f)) || !torch::equal(b, torch::full({2, 2}, 30.0, torch::kFloat64)) ||
        c.item<std::int64_t>() != 3)
      return 1;
    auto d = torch::full({4}, r, torch::kFloat32);
    world.broadcast({d});
    if (!torch::equal(d, torch::zeros({4}))) return 2;
    world.barrier();
    return 0;
  });
  EXPECT_EQ(codes, (std::vector<int>{0, 0, 0}));
}

TEST(World, ADeadRankFailsTheOthersWithinTheTimeoutNamingIt) {
  const auto start = std::chrono::steady_clock::now();
  const auto codes = test::run_ranks(
      2,
      [](const World& world) {
        if (world.rank() == 1) ::_exit(0);  // leaves without taking part
        try {
          auto t = torch::ones({8});
          world.sum({t});
        } catch (const DistError& e) {
          const std::string message = e.what();
          std::fprintf(stderr, "%s\n", message.c_str());
          return message.starts_with("rank 0 of 2: all-reduce failed within dist.timeout_s = 3 s") ? 0 : 1;
        }
        return 2;  // the sum with a dead rank succeeded
      },
      3s);
  EXPECT_EQ(codes, (std::vector<int>{0, 0}));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 30s);
}

}  // namespace
}  // namespace retrain
