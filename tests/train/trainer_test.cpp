// Trainer: exact resume across save/load, the NaN/Inf gradient guard, lr warm-up, checkpoint files
// and errors that name them.
#include <gtest/gtest.h>

#include "diffusion/test_helpers.hpp"
#include "retrain/loop/config.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/diffusion/edm.hpp"
#include "retrain/models/state_dict.hpp"
#include "retrain/train/trainer.hpp"
#include "test_support.hpp"
#include "train/small_net.hpp"

namespace retrain {
namespace {

using TrainerTest = test::SingleThreaded;

using test::small_net;

// Every knob with state switched on: AdamW, warm-up across the resume point, ramped half-life EMA,
// gradient clipping.
TrainerOptions stateful_options() {
  TrainerOptions o;
  o.optimizer = OptimizerKind::adamw;
  o.lr = 1e-3;
  o.weight_decay = 0.01;
  o.batch_size = 100;
  o.warmup_kimg = 3;
  o.ema.halflife_kimg = 0.5;
  o.ema.rampup_ratio = 0.05;
  o.grad_clip_norm = 1.0;
  return o;
}

void expect_same_weights(const torch::nn::Module& a, const torch::nn::Module& b) {
  const auto sa = state_dict(a), sb = state_dict(b);
  ASSERT_EQ(sa.size(), sb.size());
  for (const auto& [name, t] : sa) EXPECT_TRUE(torch::equal(t, sb.at(name))) << name;
}

TEST_F(TrainerTest, ResumeFromSaveContinuesExactlyLikeAnUninterruptedRun) {
  torch::manual_seed(11);
  auto data = torch::randn({500, 2}) * 0.5 + 1.0;  // 2000 images = 4 whole epochs = 20 whole batches
  auto labels = torch::randint(3, {500}, torch::kLong);
  auto method = std::make_shared<EdmMethod>();

  Trainer whole(small_net(1), method, stateful_options());
  auto g_whole = make_generator(5, 0, Stream::Fit);
  whole.fit(data, labels, 4000, g_whole);

  test::ScratchDir dir;
  Trainer first(small_net(1), method, stateful_options());
  auto g_split = make_generator(5, 0, Stream::Fit);
  first.fit(data, labels, 2000, g_split);
  first.save(dir.path());
  Trainer resumed(small_net(99), method, stateful_options());  // different init: load must overwrite it all
  resumed.load(dir.path());
  EXPECT_EQ(resumed.images_seen(), 2000);
  EXPECT_EQ(resumed.step(), 20);
  resumed.fit(data, labels, 2000, g_split);

  EXPECT_EQ(resumed.images_seen(), whole.images_seen());
  EXPECT_EQ(resumed.step(), whole.step());
  expect_same_weights(*resumed.net(), *whole.net());
  expect_same_weights(*resumed.ema(), *whole.ema());
}

TEST_F(TrainerTest, SaveWritesTheCheckpointFiles) {
  test::ScratchDir dir;
  Trainer trainer(small_net(1), std::make_shared<EdmMethod>(), stateful_options());
  auto gen = make_generator(1, 0, Stream::Fit);
  trainer.fit(torch::randn({50, 2}), torch::randint(3, {50}, torch::kLong), 200, gen);
  trainer.save(dir / "ckpt");
  for (const char* f : {"model.safetensors", "ema.safetensors", "optimizer.safetensors", "trainer.json"})
    EXPECT_TRUE(std::filesystem::exists(dir / "ckpt" / f)) << f;
  const auto json = test::read_text(dir / "ckpt" / "trainer.json");
  EXPECT_NE(json.find("\"images_seen\": 200"), std::string::npos) << json;
  EXPECT_NE(json.find("\"adamw\""), std::string::npos) << json;
}

TEST_F(TrainerTest, LoadErrorsNameTheFile) {
  test::ScratchDir dir;
  Trainer trainer(small_net(1), std::make_shared<EdmMethod>(), stateful_options());
  trainer.save(dir.path());
  test::write_text(dir / "optimizer.safetensors", "not an archive");
  try {
    trainer.load(dir.path());
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("optimizer.safetensors"), std::string::npos) << e.what();
  }
  std::filesystem::remove(dir / "ema.safetensors");
  try {
    trainer.load(dir.path());
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("ema.safetensors"), std::string::npos) << e.what();
  }
}

// Loss 0 * sum(net output), except NaN every second call: those steps' gradients are NaN.
class NanEverySecondStep final : public Method {
 public:
  torch::Tensor keyed_loss(Denoiser& net, const torch::Tensor& x0, const torch::Tensor& labels, at::Generator&,
                           const torch::Tensor&) const override {
    const double scale = (calls_++ % 2 == 1) ? std::nan("") : 1.0;
    return net.forward(x0, torch::zeros({x0.size(0)}), labels).square().mean(1) * scale;
  }
  torch::Tensor sample(Denoiser&, std::vector<std::int64_t> shape, const torch::Tensor&, SampleNoise) const override {
    return torch::zeros(shape);
  }

 private:
  mutable int calls_ = 0;
};

TEST_F(TrainerTest, NanGradientsAreCleanedAndCounted) {
  auto opts = stateful_options();
  opts.warmup_kimg = 0;
  Trainer trainer(small_net(1), std::make_shared<NanEverySecondStep>(), opts);
  auto gen = make_generator(2, 0, Stream::Fit);
  auto stats = trainer.fit(torch::randn({100, 2}), torch::randint(3, {100}, torch::kLong), 1000, gen);
  EXPECT_EQ(stats.steps, 10);
  EXPECT_EQ(stats.nonfinite_steps, 5);
  EXPECT_EQ(trainer.nonfinite_steps(), 5);
  for (const auto& [name, t] : state_dict(*trainer.net())) EXPECT_TRUE(t.isfinite().all().item<bool>()) << name;
  for (const auto& [name, t] : state_dict(*trainer.ema())) EXPECT_TRUE(t.isfinite().all().item<bool>()) << name;
}

TEST_F(TrainerTest, WarmUpStartsFromZeroLearningRate) {
  auto opts = stateful_options();
  opts.weight_decay = 0.0;
  auto net = small_net(1);
  const auto before = state_dict(*net->replicate());
  Trainer trainer(net, std::make_shared<EdmMethod>(), opts);
  auto gen = make_generator(3, 0, Stream::Fit);
  trainer.fit(torch::randn({100, 2}), torch::randint(3, {100}, torch::kLong), 100, gen);  // one step at lr 0
  for (const auto& [name, t] : state_dict(*net)) EXPECT_TRUE(torch::equal(t, before.at(name))) << name;
  trainer.fit(torch::randn({100, 2}), torch::randint(3, {100}, torch::kLong), 100, gen);
  EXPECT_FALSE(torch::equal(state_dict(*net).at("output.weight"), before.at("output.weight")));
}

TEST_F(TrainerTest, GradientClippingShrinksTheUpdates) {
  // With eps far above |g| Adam's update is ~ lr * g / eps, so it scales with the (clipped) gradient.
  auto change = [](double clip) {
    auto opts = stateful_options();
    opts.warmup_kimg = 0;
    opts.lr = 10.0;
    opts.eps = 1e3;
    opts.weight_decay = 0.0;
    opts.grad_clip_norm = clip;
    auto net = small_net(1);
    const auto before = state_dict(*net->replicate()).at("output.weight");
    Trainer trainer(net, std::make_shared<EdmMethod>(), opts);
    auto gen = make_generator(6, 0, Stream::Fit);
    trainer.fit(torch::randn({100, 2}), torch::randint(3, {100}, torch::kLong), 100, gen);
    return (state_dict(*net).at("output.weight") - before).norm().item<double>();
  };
  const double unclipped = change(0.0), clipped = change(1e-4);
  EXPECT_GT(clipped, 0.0);
  EXPECT_LT(clipped, 1e-2 * unclipped);
}

TEST_F(TrainerTest, ReportsProgressAndLossStatistics) {
  auto opts = stateful_options();
  opts.report_every_steps = 4;
  Trainer trainer(small_net(1), std::make_shared<EdmMethod>(), opts);
  auto gen = make_generator(4, 0, Stream::Fit);
  std::vector<FitProgress> reports;
  auto stats = trainer.fit(torch::randn({64, 2}), torch::randint(3, {64}, torch::kLong), 950, gen,
                           [&](const FitProgress& p) { reports.push_back(p); });
  EXPECT_EQ(stats.steps, 10);
  EXPECT_EQ(stats.images, 1000);
  ASSERT_EQ(reports.size(), 3u);  // steps 4, 8 and the last
  EXPECT_EQ(reports.back().step, 10);
  EXPECT_EQ(reports.back().images_done, 950);
  EXPECT_GT(stats.loss_first, 0.0);
  EXPECT_GT(stats.images_per_s, 0.0);
}

TEST_F(TrainerTest, UnknownOptimizerIsRefusedByTheConfig) {
  EXPECT_THROW(load_config_text("train: {optimizer: sgd}", "exp.yaml"), UsageError);
}

}  // namespace
}  // namespace retrain
