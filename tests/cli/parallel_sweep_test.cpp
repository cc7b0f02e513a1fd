// `retrain sweep --jobs N`: the grid points run in child processes and give exactly the runs of the
// one-after-another sweep.
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

}  // namespace
}  // namespace retrain
