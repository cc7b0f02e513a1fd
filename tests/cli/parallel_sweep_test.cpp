// `retrain sweep --jobs N`: the grid points run in child processes and give exactly the runs of the
// one-after-another sweep; `--point K` runs one point (a job array's task) and `--count` sizes the array.
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;
using test::run_retrain;

TEST(ParallelSweep, JobsGiveTheSameRunsAsOneAfterAnother) {
  test::ScratchDir dir;
  test::write_text(dir / "g.yaml", "device: cpu\ndata: {n: 50}\nlearner: {replicas: 50}\nloop: {generations: 4, real: fixed}\n");
  const std::vector<std::string> grid = {"sweep", "--config", (dir / "g.yaml").string(), "--grid", "loop.lambda=0.5,1",
                                         "--grid", "seed=1,2"};
  auto args = grid;
  args.insert(args.end(), {"--out", (dir / "one").string(), "-q"});
  auto r = run_retrain(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  args = grid;
  args.insert(args.end(), {"--out", (dir / "two").string(), "--jobs", "2"});
  r = run_retrain(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("started (pid"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("finished (4/4 done)"), std::string::npos) << r.output;
  for (const char* run : {"lambda=0.5,seed=1", "lambda=0.5,seed=2", "lambda=1,seed=1", "lambda=1,seed=2"}) {
    const auto metrics = test::metrics_without_timing(dir / "two/g" / run / "metrics.jsonl");
    EXPECT_EQ(metrics.size(), 5u) << run;
    EXPECT_EQ(metrics, test::metrics_without_timing(dir / "one/g" / run / "metrics.jsonl")) << run;
  }
  EXPECT_TRUE(fs::exists(dir / "two/g/sweep.csv"));
  EXPECT_EQ(run_retrain({"sweep", "--config", (dir / "g.yaml").string(), "--grid", "seed=1", "--jobs", "0"}).exit_code, 2);
}

TEST(ParallelSweep, PointRunsOneGridPointAndAPlainSweepThenOnlyAddsTheRest) {
  test::ScratchDir dir;
  test::write_text(dir / "g.yaml", "device: cpu\ndata: {n: 50}\nlearner: {replicas: 50}\nloop: {generations: 3, real: fixed}\n"
                                   "sweep: {grid: ['loop.lambda=0.5,1', 'seed=1,2']}\n");
  const std::vector<std::string> base = {"sweep", "--config", (dir / "g.yaml").string(), "--out", (dir / "runs").string(), "-q"};
  const auto with = [&](std::vector<std::string> extra) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return run_retrain(args);
  };
  const auto count = with({"--count"});
  EXPECT_EQ(count.exit_code, 0);
  EXPECT_EQ(count.output, "4\n");
  const auto point = with({"--point", "2"});  // last axis fastest: lambda=1, seed=1
  ASSERT_EQ(point.exit_code, 0) << point.output;
  EXPECT_TRUE(fs::exists(dir / "runs/g/lambda=1,seed=1/gen_0003"));
  EXPECT_FALSE(fs::exists(dir / "runs/g/lambda=0.5,seed=1"));
  EXPECT_FALSE(fs::exists(dir / "runs/g/sweep.csv"));
  const auto outside = with({"--point", "4"});
  EXPECT_EQ(outside.exit_code, 2);
  EXPECT_TRUE(test::contains(outside.output, "sweep: --point 4 is outside the grid of 4 points (0..3)")) << outside.output;
  const auto kept = test::metrics_without_timing(dir / "runs/g/lambda=1,seed=1/metrics.jsonl");
  const auto all = with({});
  ASSERT_EQ(all.exit_code, 0) << all.output;
  EXPECT_EQ(test::metrics_without_timing(dir / "runs/g/lambda=1,seed=1/metrics.jsonl"), kept);
  EXPECT_TRUE(fs::exists(dir / "runs/g/sweep.csv"));
}

}  // namespace
}  // namespace retrain
