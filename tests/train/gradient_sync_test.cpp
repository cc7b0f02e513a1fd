// GradientSync: buckets start while backward runs, in one order on every rank, sum like World::sum,
// treat a parameter a rank did not use as zeros, and leave earlier micro-batches alone.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "dist/ranks.hpp"
#include "retrain/train/gradient_sync.hpp"

namespace retrain {
namespace {

// Three parameters of 4 floats each; rank r's loss uses the third one only when `use_last` holds.
struct Params {
  std::vector<torch::Tensor> list;
  Params() {
    for (int k = 0; k < 3; ++k) list.push_back(torch::full({4}, 1.0 + k).requires_grad_());
  }
  torch::Tensor loss(int rank, bool use_last) const {
    const auto x = torch::arange(4, torch::kFloat32) + static_cast<double>(rank);
    auto loss = (list[0] * x).sum() + (list[1] * list[1] * x).sum();
    if (use_last) loss = loss + (list[2] * x * 3).sum();
    return loss;
  }
};

// The gradients both ranks' losses give, summed (what every rank must end with).
std::vector<torch::Tensor> summed_gradients(bool rank1_uses_last) {
  std::vector<torch::Tensor> sum(3, torch::zeros({4}));
  for (int r = 0; r < 2; ++r) {
    Params p;
    p.loss(r, r == 0 || rank1_uses_last).backward();
    for (int k = 0; k < 3; ++k)
      if (p.list[k].grad().defined()) sum[k] = sum[k] + p.list[k].grad();
  }
  return sum;
}

int check(bool condition, const char* what) {
  if (!condition) std::fprintf(stderr, "failed: %s\n", what);
  return condition ? 0 : 1;
}

TEST(GradientSync, BucketsStartDuringBackwardAndSumOverTheRanks) {
  const auto expected = summed_gradients(true);
  const auto codes = test::run_ranks(2, [&](const World& world) {
    Params p;
    GradientSync sync(p.list, world, 1);  // one parameter per bucket
    int failures = check(sync.buckets() == 3, "three buckets");
    auto loss = p.loss(world.rank(), true);
    auto total = loss.detach().clone();
    sync.arm(total);
    loss.backward();
    failures += check(sync.started() == 3, "every bucket started inside backward");
    sync.finish();
    for (int k = 0; k < 3; ++k) failures += check(torch::allclose(p.list[k].grad(), expected[k]), "gradient sum");
    failures += check(torch::allclose(total, p.loss(0, true).detach() + p.loss(1, true).detach()), "loss sum");
    return failures;
  });
  EXPECT_EQ(codes, (std::vector<int>{0, 0}));
}

TEST(GradientSync, AParameterOneRankDidNotUseIsSummedAsZerosThere) {
  const auto expected = summed_gradients(false);
  const auto codes = test::run_ranks(2, [&](const World& world) {
    Params p;
    GradientSync sync(p.list, world, 1);
    const bool use_last = world.rank() == 0;
    auto loss = p.loss(world.rank(), use_last);
    auto total = loss.detach().clone();
    sync.arm(total);
    loss.backward();
    // Buckets start in reverse parameter order: without the last parameter's gradient, rank 1 may
    // start none of them before finish().
    int failures = check(world.rank() == 0 ? sync.started() == 3 : sync.started() == 0, "in-order start");
    sync.finish();
    for (int k = 0; k < 3; ++k) failures += check(torch::allclose(p.list[k].grad(), expected[k]), "gradient sum");
    return failures;
  });
  EXPECT_EQ(codes, (std::vector<int>{0, 0}));
}

TEST(GradientSync, AnUnarmedBackwardStartsNothing) {
  const auto codes = test::run_ranks(2, [&](const World& world) {
    Params p;
    GradientSync sync(p.list, world, 1);
    p.loss(world.rank(), true).backward();  // an earlier micro-batch
    int failures = check(sync.started() == 0, "nothing started");
    auto loss = p.loss(world.rank(), true);
    auto total = loss.detach().clone();
    sync.arm(total);
    loss.backward();
    sync.finish();
    // Both micro-batches' gradients, summed over the ranks.
    const auto expected = summed_gradients(true);
    for (int k = 0; k < 3; ++k) failures += check(torch::allclose(p.list[k].grad(), expected[k] * 2), "accumulated sum");
    return failures;
  });
  EXPECT_EQ(codes, (std::vector<int>{0, 0}));
}

TEST(GradientSync, BucketsHoldAboutTheGivenBytesInReverseOrder) {
  std::vector<torch::Tensor> params;
  for (int k = 0; k < 5; ++k) params.push_back(torch::zeros({256}).requires_grad_());  // 1 KiB each
  params.push_back(torch::zeros({4}));  // no gradient: not bucketed
  EXPECT_EQ(GradientSync(params, World{}, 2048).buckets(), 3u);  // {4, 3}, {2, 1}, {0}
  EXPECT_EQ(GradientSync(params, World{}, 1).buckets(), 5u);
  EXPECT_EQ(GradientSync(params, World{}, 0).buckets(), 1u);
}

}  // namespace
}  // namespace retrain
