// Data parallelism: W ranks (forked processes joined by Gloo on loopback) that train their stripes of
// each global batch end with the weights and EMA of one process training the same global batches, up
// to the order of the gradient sums; all ranks end bit-identical; with dropout, W ranks with
// accumulate a equal one process with accumulate W x a. A batch that does not divide is refused.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <functional>

#include "dist/ranks.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/core/safetensors.hpp"
#include "retrain/diffusion/edm.hpp"
#include "retrain/models/make_network.hpp"
#include "retrain/models/model_options.hpp"
#include "retrain/models/state_dict.hpp"
#include "retrain/train/trainer.hpp"
#include "test_support.hpp"
#include "train/small_net.hpp"

namespace retrain {
namespace {

struct Training {
  std::function<std::shared_ptr<Denoiser>()> net;  // the same initial network on every call
  torch::Tensor data, labels;
  TrainerOptions options;
  std::int64_t images;
};

TensorMap weights_after(const Training& s, std::int64_t accumulate, const World& world = {}) {
  auto options = s.options;
  options.accumulate = accumulate;
  Trainer trainer(s.net(), std::make_shared<EdmMethod>(), options, world);
  auto gen = make_generator(3, 0, Stream::Fit);
  trainer.fit(s.data, s.labels, s.images, gen);
  auto weights = state_dict(*trainer.net());
  for (const auto& [name, t] : state_dict(*trainer.ema())) weights["ema." + name] = t;
  return weights;
}

// Trains on `ranks` processes with `accumulate`, and in this process with `reference_accumulate`.
void expect_ranks_equal_one_process(const Training& s, int ranks, std::int64_t accumulate, std::int64_t reference_accumulate) {
  test::ScratchDir dir;
  const auto codes = test::run_ranks(ranks, [&](const World& world) {
    torch::set_num_threads(1);
    save_safetensors(dir / ("rank" + std::to_string(world.rank()) + ".safetensors"), weights_after(s, accumulate, world));
    return 0;
  });
  ASSERT_EQ(codes, std::vector<int>(static_cast<std::size_t>(ranks), 0));
  torch::set_num_threads(1);
  const auto reference = weights_after(s, reference_accumulate);
  const auto rank0 = load_safetensors(dir / "rank0.safetensors");
  for (int r = 1; r < ranks; ++r) {
    const auto other = load_safetensors(dir / ("rank" + std::to_string(r) + ".safetensors"));
    for (const auto& [name, t] : rank0) EXPECT_TRUE(torch::equal(t, other.at(name))) << "rank " << r << ": " << name;
  }
  const auto initial = state_dict(*s.net());
  int trained = 0;
  for (const auto& [name, t] : reference) {
    const auto& d = rank0.at(name);
    EXPECT_TRUE(torch::allclose(d, t, 1e-4, 1e-6)) << name << ": max difference " << (d - t).abs().max().item<double>();
    if (initial.contains(name) && !torch::equal(d, initial.at(name))) ++trained;
  }
  EXPECT_GT(trained, static_cast<int>(initial.size()) / 2) << "most weights did not change: nothing was trained";
}

Training points() {
  Training s;
  s.net = [] { return test::small_net(7); };
  torch::manual_seed(1);
  s.data = torch::randn({60, 2});
  s.labels = torch::randint(3, {60}, torch::kLong);
  s.options.batch_size = 12;
  s.options.lr = 1e-3;
  s.options.grad_clip_norm = 1.0;
  s.options.ema.halflife_kimg = 0.05;
  s.images = 5 * 12;
  return s;
}

TEST(DataParallel, TwoAndThreeRanksEqualOneProcess) {
  expect_ranks_equal_one_process(points(), 2, 1, 1);
  expect_ranks_equal_one_process(points(), 3, 1, 1);
}

TEST(DataParallel, RanksEqualOneProcessWhateverTheGradientBuckets) {
  for (const std::int64_t bytes : {0, 1, 512}) {  // after backward; one parameter per bucket; a few
    SCOPED_TRACE(bytes);
    auto s = points();
    s.options.bucket_mb = static_cast<double>(bytes) / (1 << 20);
    expect_ranks_equal_one_process(s, 2, 1, 1);
  }
}

TEST(DataParallel, WithDropoutAndAccumulationRanksEqualOneProcessWithTheSameMicroBatches) {
  Training s;
  s.net = [] {
    torch::manual_seed(5);
    ModelOptions m;
    m.arch = Arch::ddpmpp;
    m.channels = 8;
    m.channel_mult = {1, 1};
    m.num_blocks = 1;
    m.attn_resolutions = {};
    m.dropout = 0.3;
    return make_network(m, {1, 8, 8}, 0);
  };
  torch::manual_seed(2);
  s.data = torch::randint(256, {16, 1, 8, 8}, torch::kUInt8);
  s.options.batch_size = 8;
  s.options.bucket_mb = 4096.0 / (1 << 20);  // several buckets, started while backward runs
  s.images = 3 * 8;
  expect_ranks_equal_one_process(s, 2, 2, 4);
}

TEST(DataParallel, ABatchThatDoesNotDivideAmongTheRanksIsRefused) {
  const auto codes = test::run_ranks(3, [](const World& world) {
    auto options = points().options;
    options.batch_size = 10;
    options.accumulate = 1;
    const auto message = test::message_of<UsageError>([&] { Trainer(test::small_net(1), std::make_shared<EdmMethod>(), options, world); });
    return message == "train.batch = 10 does not divide among 3 processes x train.accumulate = 1 (3 micro-batches per "
                      "step); choose a batch that is a multiple of 3" ? 0 : 1;
  });
  EXPECT_EQ(codes, (std::vector<int>{0, 0, 0}));
}

}  // namespace
}  // namespace retrain
