// EpochSampler: every epoch is a permutation, batches wrap across epochs, draws are reproducible.
#include <gtest/gtest.h>

#include "retrain/core/rng.hpp"
#include "retrain/train/epoch_sampler.hpp"

namespace retrain {
namespace {

TEST(EpochSampler, EachEpochVisitsEveryIndexOnceAndBatchesWrap) {
  auto gen = make_generator(1, 0, Stream::Fit);
  EpochSampler sampler(10, gen);
  std::vector<torch::Tensor> batches;
  for (int i = 0; i < 5; ++i) batches.push_back(sampler.next(4));  // 20 indices = 2 epochs
  auto all = torch::cat(batches);
  EXPECT_TRUE(torch::equal(std::get<0>(all.slice(0, 0, 10).sort()), torch::arange(10)));
  EXPECT_TRUE(torch::equal(std::get<0>(all.slice(0, 10, 20).sort()), torch::arange(10)));
  EXPECT_FALSE(torch::equal(all.slice(0, 0, 10), all.slice(0, 10, 20)));
}

TEST(EpochSampler, SameGeneratorStateGivesSameBatches) {
  auto g1 = make_generator(2, 0, Stream::Fit), g2 = make_generator(2, 0, Stream::Fit);
  EpochSampler a(7, g1), b(7, g2);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(torch::equal(a.next(3), b.next(3)));
}

}  // namespace
}  // namespace retrain
