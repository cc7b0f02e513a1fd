// Per-step training statistics: a row every K steps summarises exactly the steps since the previous
// row (checked against rows of every step), a fit continued from a snapshot writes the rows of the
// uninterrupted fit, and train_stats.jsonl is cut back to where a fit continues.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>

#include "diffusion/test_helpers.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/diffusion/edm.hpp"
#include "retrain/train/train_stats_file.hpp"
#include "retrain/train/trainer.hpp"
#include "retrain/train/training_snapshots.hpp"
#include "test_support.hpp"
#include "train/small_net.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;
using StepStatsTest = test::SingleThreaded;
using test::small_net;

struct CrashForTest {};

TrainerOptions options() {
  TrainerOptions o;
  o.batch_size = 100;
  o.warmup_kimg = 1.5;  // the lr changes from step to step
  o.grad_clip_norm = 1.0;     // the rows report the norm before clipping
  return o;
}

constexpr std::int64_t kImages = 3000;  // 30 steps

struct Data {
  torch::Tensor x, labels;
  Data() {
    torch::manual_seed(3);
    x = torch::randn({470, 2}) * 0.5 + 1.0;
    labels = torch::randint(3, {470}, torch::kLong);
  }
};

std::vector<StepStatsRow> fit_rows(std::int64_t every, std::int64_t images = kImages) {
  const Data d;
  Trainer trainer(small_net(1), std::make_shared<EdmMethod>(), options());
  auto gen = make_generator(5, 0, Stream::Fit);
  std::vector<StepStatsRow> rows;
  trainer.fit(d.x, d.labels, images, gen, {}, nullptr, {}, {every, [&](const StepStatsRow& r) { rows.push_back(r); }});
  return rows;
}

TEST_F(StepStatsTest, ARowEveryKStepsSummarisesTheStepsSinceThePreviousRow) {
  const auto single = fit_rows(1);
  ASSERT_EQ(single.size(), 30u);
  for (std::size_t i = 0; i < single.size(); ++i) {
    const auto step = static_cast<std::int64_t>(i + 1);
    EXPECT_EQ(single[i].step, step);
    EXPECT_EQ(single[i].images, step * 100);
    EXPECT_EQ(single[i].loss_std, 0.0);
    EXPECT_DOUBLE_EQ(single[i].lr, 1e-3 * std::min(static_cast<double>((step - 1) * 100) / 1500.0, 1.0));
    EXPECT_TRUE(std::isfinite(single[i].loss_mean) && single[i].loss_mean > 0);
    EXPECT_TRUE(std::isfinite(single[i].grad_norm) && single[i].grad_norm > 0);
    EXPECT_GT(single[i].images_per_s, 0.0);
    EXPECT_FALSE(single[i].peak_memory_mb.has_value());  // CPU
  }
  const auto rows = fit_rows(4);
  const std::vector<std::int64_t> steps = {4, 8, 12, 16, 20, 24, 28, 30};  // and the fit's last step
  ASSERT_EQ(rows.size(), steps.size());
  std::int64_t from = 0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    EXPECT_EQ(rows[r].step, steps[r]);
    const auto window = single.begin() + from, end = single.begin() + steps[r];
    const double n = static_cast<double>(steps[r] - from);
    double mean = 0, norm = 0, squares = 0;
    for (auto it = window; it != end; ++it) {
      mean += it->loss_mean / n;
      norm += it->grad_norm / n;
    }
    for (auto it = window; it != end; ++it) squares += (it->loss_mean - mean) * (it->loss_mean - mean) / n;
    EXPECT_NEAR(rows[r].loss_mean, mean, 1e-12 * mean) << "row " << r;
    EXPECT_NEAR(rows[r].loss_std, std::sqrt(squares), 1e-9 * mean) << "row " << r;
    EXPECT_NEAR(rows[r].grad_norm, norm, 1e-12 * norm) << "row " << r;
    EXPECT_DOUBLE_EQ(rows[r].lr, single[steps[r] - 1].lr);
    EXPECT_GT(rows[r].loss_std, 0.0);
    from = steps[r];
  }
}

// The rows of a fit that crashed after its snapshot at step 14 (mid-window: rows come every 4 steps)
// and was continued from it equal those of the uninterrupted fit, timing aside.
TEST_F(StepStatsTest, AFitContinuedFromASnapshotWritesTheRowsOfTheUninterruptedFit) {
  const auto whole = fit_rows(4);
  const Data d;
  test::ScratchDir dir;
  const TrainingSnapshots snapshots(dir.path());
  std::vector<StepStatsRow> rows;
  const FitStatsLog log{4, [&](const StepStatsRow& r) { rows.push_back(r); }};
  {
    Trainer crashed(small_net(1), std::make_shared<EdmMethod>(), options());
    auto gen = make_generator(5, 0, Stream::Fit);
    const FitSnapshots every{700, [&](const FitCursor& cursor) {
                               snapshots.write(cursor.step, [&](const fs::path& to) {
                                 crashed.save(to);
                                 cursor.save(to);
                               });
                               if (cursor.step == 14) throw CrashForTest{};
                             }};
    EXPECT_THROW(crashed.fit(d.x, d.labels, kImages, gen, {}, nullptr, every, log), CrashForTest);
  }
  ASSERT_EQ(rows.size(), 3u);  // steps 4, 8, 12
  Trainer resumed(small_net(9), std::make_shared<EdmMethod>(), options());
  resumed.load(*snapshots.latest());
  const auto cursor = FitCursor::load(*snapshots.latest());
  EXPECT_EQ(cursor.stats.steps, 2);  // steps 13 and 14 of the window that ends at 16
  auto gen = make_generator(77, 0, Stream::Fit);  // the snapshot's state replaces it
  resumed.fit(d.x, d.labels, kImages, gen, {}, &cursor, {}, log);
  ASSERT_EQ(rows.size(), whole.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    auto a = to_json(rows[r]), b = to_json(whole[r]);
    a.erase("images_per_s");
    b.erase("images_per_s");
    EXPECT_EQ(a, b) << "row " << r;
  }
}

TEST(TrainStatsFile, KeepUntilCutsTheRowsAFitWritesAgainAndATornLine) {
  test::ScratchDir dir;
  const TrainStatsFile file(dir / "train_stats.jsonl");
  file.keep_until(0, 0);  // no file yet: nothing to do
  EXPECT_FALSE(fs::exists(file.path()));
  StepStatsRow row;
  for (const auto& [generation, step] : std::vector<std::pair<int, int>>{{0, 3}, {0, 6}, {1, 3}, {1, 6}, {1, 9}, {2, 3}}) {
    row.step = step;
    row.images = step * 8;
    file.append(generation, row);
  }
  test::write_text(file.path(), test::read_text(file.path()) + R"({"generation": 1, "step": 12, "loss_m)");
  const auto kept = [&] {
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    const auto text = test::read_text(file.path());
    for (std::size_t start = 0, end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
      const auto j = nlohmann::json::parse(text.substr(start, end - start));
      out.emplace_back(j.at("generation").get<std::int64_t>(), j.at("step").get<std::int64_t>());
      EXPECT_EQ(j.at("images").get<std::int64_t>(), out.back().second * 8);
    }
    return out;
  };
  file.keep_until(1, 6);  // generation 1 continues from its snapshot at step 6
  EXPECT_EQ(kept(), (std::vector<std::pair<std::int64_t, std::int64_t>>{{0, 3}, {0, 6}, {1, 3}, {1, 6}}));
  file.keep_until(1, 0);  // ... or from its start
  EXPECT_EQ(kept(), (std::vector<std::pair<std::int64_t, std::int64_t>>{{0, 3}, {0, 6}}));
}

TEST_F(StepStatsTest, OnCudaRowsCarryThePeakMemory) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "needs a GPU";
  const Data d;
  auto net = small_net(1);
  net->to(torch::kCUDA);
  Trainer trainer(net, std::make_shared<EdmMethod>(), options());
  auto gen = make_generator(5, 0, Stream::Fit);
  std::vector<StepStatsRow> rows;
  trainer.fit(d.x.cuda(), d.labels.cuda(), 1000, gen, {}, nullptr, {}, {5, [&](const StepStatsRow& r) { rows.push_back(r); }});
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& r : rows) {
    ASSERT_TRUE(r.peak_memory_mb.has_value());
    EXPECT_GT(*r.peak_memory_mb, 0.0);
  }
}

}  // namespace
}  // namespace retrain
