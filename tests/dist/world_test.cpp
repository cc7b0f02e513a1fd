// World on loopback with Gloo: sums and broadcasts over ranks, a dead rank turns into one clear error on
// the others within the timeout instead of a hang, stop checks agree; on two GPUs, each rank on its own.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>
#ifdef RETRAIN_WITH_CUDA
#include <c10/cuda/CUDAFunctions.h>
#endif

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>

#include "dist/ranks.hpp"
#include "retrain/core/signals.hpp"
#include "retrain/dist/world.hpp"
#include "retrain/ops/graphed_call.hpp"

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

// A stop raised on rank 1 at step 3 is seen by both ranks at the same step, the next multiple of
// kStopCheckSteps; one process checks (a flag read, no collective) at every step.
TEST(World, StopChecksOnSeveralRanksComeEveryKStepsAtTheSameStep) {
  for (std::int64_t k = 0; k < 3 * kStopCheckSteps; ++k) EXPECT_TRUE(stop_check_due(World(), k)) << k;
  const auto codes = test::run_ranks(2, [](const World& world) {
    install_stop_handlers();
    int checks = 0;
    for (std::int64_t k = 0; k < 3 * kStopCheckSteps; ++k) {
      if (world.rank() == 1 && k == 3) std::raise(SIGTERM);
      if (!stop_check_due(world, k)) continue;
      ++checks;
      if (any_rank_stopped(world)) return k == kStopCheckSteps && checks == 2 ? 0 : 10 + static_cast<int>(k);
    }
    return 1;  // never stopped
  });
  EXPECT_EQ(codes, (std::vector<int>{0, 0}));
}

// Two ranks on a machine with two GPUs or more: each joins on its own GPU (the current device too),
// NCCL sums there, and a CUDA graph captured from its tensors replays on that GPU, not on GPU 0.
TEST(World, CudaRanksWorkOnTheirOwnGpu) {
  const int gpus = test::in_child([] { return static_cast<int>(std::min<std::size_t>(torch::cuda::device_count(), 8)); });
  if (gpus < 2) GTEST_SKIP() << "needs two GPUs (" << gpus << " visible)";
#ifdef RETRAIN_WITH_CUDA
  const auto codes = test::run_ranks(
      2,
      [](const World& world) {
        const auto own = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(world.rank()));
        if (world.device() != own) return 1;
        if (c10::cuda::current_device() != world.rank()) return 2;
        auto t = torch::full({4}, 1.0f + world.rank(), torch::TensorOptions().device(torch::kCUDA));  // the current device
        if (t.device() != own) return 3;
        world.sum({t});
        if (!torch::equal(t.cpu(), torch::full({4}, 3.0f))) return 4;
        ops::GraphedCall twice([](const std::vector<torch::Tensor>& in) { return in[0] * 2; }, true);
        twice({t});
        const auto out = twice({t + 1});
        if (twice.replays() != 1 || out.device() != own || !torch::equal(out.cpu(), torch::full({4}, 8.0f))) return 5;
        return 0;
      },
      std::chrono::seconds(120), torch::kCUDA);
  EXPECT_EQ(codes, (std::vector<int>{0, 0}));
#endif
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
