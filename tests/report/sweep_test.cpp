// Sweeps: grid parsing, labels, run-or-resume of every point, combined table; strip generations.
#include <gtest/gtest.h>

#include <algorithm>

#include "retrain/core/errors.hpp"
#include "retrain/report/reports.hpp"
#include "retrain/report/sweep.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

TEST(Sweep, ParsesAxes) {
  const auto a = parse_axis("loop.lambda=0,0.5,1");
  EXPECT_EQ(a.key, "loop.lambda");
  EXPECT_EQ(a.values, (std::vector<std::string>{"0", "0.5", "1"}));
  EXPECT_THROW(parse_axis("loop.lambda"), UsageError);
  EXPECT_THROW(parse_axis("loop.lambda=0,,1"), UsageError);
}

TEST(Sweep, StripGenerationsStartAtZeroAndEndAtTheLast) {
  EXPECT_EQ(strip_generations(100, 1, 6), (std::vector<std::int64_t>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(strip_generations(10, 3, 4), (std::vector<std::int64_t>{0, 3, 6, 10}));
  EXPECT_EQ(strip_generations(2, 1, 6), (std::vector<std::int64_t>{0, 1, 2}));
}

TEST(Sweep, RunsEveryGridPointAndResumesAHalfFinishedSweep) {
  test::ScratchDir scratch;
  const std::string yaml = "device: cpu\nout: " + scratch.path().string() +
                           "\nname: sw\ndata: {n: 10}\nlearner: {replicas: 3}\nloop: {generations: 3, real: fixed}\n";
  const std::vector<SweepAxis> axes = {parse_axis("loop.lambda=0.5,1"), parse_axis("seed=1,2")};
  auto first = run_sweep(yaml, "sw.yaml", {}, axes);
  ASSERT_EQ(first.runs.size(), 4u);
  EXPECT_EQ(first.runs[0].label, "lambda=0.5,seed=1");
  EXPECT_EQ(first.runs[3].label, "lambda=1,seed=2");
  const auto reference = test::metrics_without_timing(first.runs[3].dir / "metrics.jsonl");
  // Lose the last run's later generations (as if the sweep was killed there), then run the sweep again.
  fs::remove_all(first.runs[3].dir / "gen_0003");
  fs::remove_all(first.runs[3].dir / "gen_0002");
  auto second = run_sweep(yaml, "sw.yaml", {}, axes);
  EXPECT_EQ(test::metrics_without_timing(second.runs[3].dir / "metrics.jsonl"), reference);
  const std::string csv = test::read_text(scratch / "sw/sweep.csv");
  EXPECT_EQ(csv.rfind("run,generation,", 0), 0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 4 * 4);
  EXPECT_NE(csv.find("\"lambda=1,seed=2\",3,"), std::string::npos);
  // The seed axis pools the metric curves: one line per lambda, the mean over the two seeds.
  ASSERT_TRUE(std::find(second.reports.begin(), second.reports.end(), scratch / "sw/plots") != second.reports.end());
  EXPECT_TRUE(fs::exists(scratch / "sw/plots/std_ratio_mean.png"));
  const std::string pooled = test::read_text(scratch / "sw/plots/pooled_seeds.csv");
  EXPECT_NE(pooled.find("\"lambda=0.5\",2,3,std_ratio_mean,"), std::string::npos) << pooled;
  EXPECT_NE(pooled.find("\"lambda=1\",2,3,std_ratio_mean,"), std::string::npos) << pooled;
}

TEST(Sweep, ABadGridValueFailsBeforeAnyRun) {
  test::ScratchDir scratch;
  const std::string yaml = "device: cpu\nout: " + scratch.path().string() + "\nname: sw\nloop: {generations: 1}\n";
  EXPECT_THROW(run_sweep(yaml, "sw.yaml", {}, {parse_axis("loop.lambda=1,-1")}), UsageError);
  EXPECT_FALSE(fs::exists(scratch / "sw"));
}

}  // namespace
}  // namespace retrain
