// Training snapshots: a fit interrupted after a snapshot (a crash, or a stop signal) and continued
// from it ends exactly where the uninterrupted fit does; snapshot directories are never half-written.
#include <gtest/gtest.h>

#include <csignal>

#include "diffusion/test_helpers.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/core/safetensors.hpp"
#include "retrain/core/signals.hpp"
#include "retrain/diffusion/edm.hpp"
#include "retrain/models/state_dict.hpp"
#include "retrain/train/trainer.hpp"
#include "retrain/train/training_snapshots.hpp"
#include "test_support.hpp"
#include "train/small_net.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;
using FitSnapshotTest = test::SingleThreaded;

struct CrashForTest {};

using test::small_net;

TrainerOptions options() {
  TrainerOptions o;
  o.lr = 1e-3;
  o.batch_size = 100;
  o.warmup_kimg = 1.5;
  o.ema.halflife_kimg = 0.5;
  o.ema.rampup_ratio = 0.05;
  o.grad_clip_norm = 1.0;
  return o;
}

// 470 points: batches straddle epoch boundaries, so the data order must be restored mid-epoch.
struct Problem {
  torch::Tensor data, labels;
  std::shared_ptr<EdmMethod> method = std::make_shared<EdmMethod>();
  static constexpr std::int64_t kImages = 3000;  // 30 steps
  Problem() {
    torch::manual_seed(3);
    data = torch::randn({470, 2}) * 0.5 + 1.0;
    labels = torch::randint(3, {470}, torch::kLong);
  }
};

void expect_same_files(const Trainer& a, const Trainer& b) {
  test::ScratchDir da, db;
  a.save(da.path());
  b.save(db.path());
  for (const char* file : {"model.safetensors", "ema.safetensors", "optimizer.safetensors"}) {
    const auto ta = load_safetensors(da / file), tb = load_safetensors(db / file);
    ASSERT_EQ(ta.size(), tb.size()) << file;
    for (const auto& [name, t] : ta) EXPECT_TRUE(torch::equal(t, tb.at(name))) << file << ": " << name;
  }
  EXPECT_EQ(a.images_seen(), b.images_seen());
  EXPECT_EQ(a.step(), b.step());
}

// Writes snapshots like DiffusionLearner does; throws CrashForTest right after snapshot `crash_at`.
FitSnapshots snapshots_into(const TrainingSnapshots& dir, const Trainer& trainer, std::int64_t every_images,
                            int crash_at = -1) {
  auto count = std::make_shared<int>(0);
  return {every_images, [&dir, &trainer, count, crash_at](const FitCursor& cursor) {
            dir.write(cursor.step, [&](const fs::path& d) {
              trainer.save(d);
              cursor.save(d);
            });
            if (++*count == crash_at) throw CrashForTest{};
          }};
}

FitStats continue_from(const TrainingSnapshots& dir, Trainer& trainer, const Problem& p) {
  const auto latest = dir.latest();
  EXPECT_TRUE(latest.has_value());
  trainer.load(*latest);
  const auto cursor = FitCursor::load(*latest);
  auto other_gen = make_generator(1234, 0, Stream::Fit);  // its state is replaced by the snapshot's
  return trainer.fit(p.data, p.labels, Problem::kImages, other_gen, {}, &cursor);
}

TEST_F(FitSnapshotTest, CrashAfterASnapshotThenContinuingEqualsTheUninterruptedFit) {
  Problem p;
  Trainer whole(small_net(1), p.method, options());
  auto g_whole = make_generator(5, 0, Stream::Fit);
  const auto stats_whole = whole.fit(p.data, p.labels, Problem::kImages, g_whole);

  test::ScratchDir dir;
  const TrainingSnapshots snapshots(dir.path());
  Trainer crashed(small_net(1), p.method, options());
  auto g = make_generator(5, 0, Stream::Fit);
  EXPECT_THROW(crashed.fit(p.data, p.labels, Problem::kImages, g, {}, nullptr,
                           snapshots_into(snapshots, crashed, 700, 2)),
               CrashForTest);
  ASSERT_EQ(snapshots.latest()->filename(), "step_0000000014");  // 700 images = 7 steps; the older one is gone
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);

  Trainer resumed(small_net(99), p.method, options());
  const auto stats = continue_from(snapshots, resumed, p);
  expect_same_files(resumed, whole);
  EXPECT_EQ(stats.steps, stats_whole.steps);
  EXPECT_DOUBLE_EQ(stats.loss_first, stats_whole.loss_first);
  EXPECT_DOUBLE_EQ(stats.loss_last, stats_whole.loss_last);
}

TEST_F(FitSnapshotTest, StopSignalSavesASnapshotAndContinuingEqualsTheUninterruptedFit) {
  Problem p;
  Trainer whole(small_net(1), p.method, options());
  auto g_whole = make_generator(5, 0, Stream::Fit);
  whole.fit(p.data, p.labels, Problem::kImages, g_whole);

  test::ScratchDir dir;
  const TrainingSnapshots snapshots(dir.path());
  auto g = make_generator(5, 0, Stream::Fit);
  install_stop_handlers();
  const auto raise_at_step_5 = [](const FitProgress& progress) {
    if (progress.step == 5) std::raise(SIGTERM);
  };
  TrainerOptions every_step = options();
  every_step.report_every_steps = 1;
  Trainer signalled(small_net(1), p.method, every_step);
  const auto message = test::message_of<Interrupted>([&] {
    signalled.fit(p.data, p.labels, Problem::kImages, g, raise_at_step_5, nullptr, snapshots_into(snapshots, signalled, 0));
  });
  clear_stop_request();
  std::signal(SIGINT, SIG_DFL);
  EXPECT_TRUE(test::contains(message, "training (step 5 of 30; a snapshot was saved)")) << message;
  ASSERT_EQ(snapshots.latest()->filename(), "step_0000000005");

  Trainer resumed(small_net(7), p.method, every_step);
  continue_from(snapshots, resumed, p);
  expect_same_files(resumed, whole);
}

TEST_F(FitSnapshotTest, ASnapshotOfAnotherBudgetIsRefused) {
  Problem p;
  test::ScratchDir dir;
  const TrainingSnapshots snapshots(dir.path());
  Trainer t(small_net(1), p.method, options());
  auto g = make_generator(5, 0, Stream::Fit);
  EXPECT_THROW(t.fit(p.data, p.labels, Problem::kImages, g, {}, nullptr, snapshots_into(snapshots, t, 1000, 1)),
               CrashForTest);
  const auto cursor = FitCursor::load(*snapshots.latest());
  const auto message = test::message_of<std::runtime_error>([&] { t.fit(p.data, p.labels, 2000, g, {}, &cursor); });
  EXPECT_TRUE(test::contains(message, "fit of 3000 images in batches of 100 cannot continue a fit of 2000 images")) << message;
}

TEST(TrainingSnapshots, HalfWrittenSnapshotsAreIgnoredAndRemoved) {
  test::ScratchDir dir;
  const TrainingSnapshots snapshots(dir / "gen_0001.training");
  EXPECT_FALSE(snapshots.latest().has_value());
  snapshots.write(3, [](const fs::path& d) { test::write_text(d / "a.txt", "three"); });
  fs::create_directories(dir / "gen_0001.training/step_0000000009.tmp");  // a crash while writing step 9
  const auto latest = snapshots.latest();
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->filename(), "step_0000000003");
  EXPECT_EQ(test::read_text(*latest / "a.txt"), "three");
  EXPECT_FALSE(fs::exists(dir / "gen_0001.training/step_0000000009.tmp"));
  snapshots.write(12, [](const fs::path& d) { test::write_text(d / "a.txt", "twelve"); });
  EXPECT_EQ(snapshots.latest()->filename(), "step_0000000012");
  EXPECT_FALSE(fs::exists(dir / "gen_0001.training/step_0000000003"));
}

TEST(TrainingSnapshots, ADamagedSnapshotIsDroppedNotResumedFrom) {
  test::ScratchDir dir;
  const TrainingSnapshots snapshots(dir / "gen_0001.training");
  snapshots.write(5, [](const fs::path& d) { test::write_text(d / "fit_cursor.json", R"({"step": 5})"); });
  ASSERT_TRUE(snapshots.latest().has_value());
  test::write_text(dir / "gen_0001.training/step_0000000005/fit_cursor.json", R"({"step": 9})");  // same size
  EXPECT_FALSE(snapshots.latest().has_value());
  EXPECT_FALSE(fs::exists(dir / "gen_0001.training/step_0000000005"));
}

}  // namespace
}  // namespace retrain
