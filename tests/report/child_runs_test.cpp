// The child-process pool of parallel sweeps, driven by stand-in executables (a shell script that
// records its environment, /bin/false, a path that does not exist), and the GPU list it hands out.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <set>
#include <thread>

#include "retrain/report/child_runs.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

std::vector<ChildRun> four_runs(const test::ScratchDir& dir) {
  std::vector<ChildRun> runs;
  for (const char* name : {"a", "b", "c", "d"}) {
    fs::create_directories(dir / name);
    runs.push_back({name, dir / name});
  }
  return runs;
}

TEST(ChildRuns, EachChildGetsItsThreadShareAndAGpuOfItsOwn) {
  test::ScratchDir dir;
  const auto script = dir / "fake_retrain.sh";
  // Called as `fake_retrain.sh resume DIR -q`: records what it was given.
  test::write_text(script, "#!/bin/sh\necho \"$1 $3 $OMP_NUM_THREADS $CUDA_VISIBLE_DEVICES\" > \"$2/seen.txt\"\n");
  ASSERT_EQ(chmod(script.c_str(), 0755), 0);
  const auto runs = four_runs(dir);
  const auto failed = run_in_child_processes(runs, 2, script, {"5", "7"});
  EXPECT_TRUE(failed.empty());
  const int threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / 2);
  std::set<std::string> gpus;
  for (const auto& run : runs) {
    const auto seen = test::read_text(run.dir / "seen.txt");  // "resume -q THREADS GPU\n"
    const auto prefix = "resume -q " + std::to_string(threads) + " ";
    ASSERT_EQ(seen.substr(0, prefix.size()), prefix) << seen;
    gpus.insert(seen.substr(prefix.size(), seen.size() - prefix.size() - 1));
  }
  EXPECT_EQ(gpus, (std::set<std::string>{"5", "7"}));
}

TEST(ChildRuns, FailedChildrenAreReturnedAndTheOthersStillRun) {
  test::ScratchDir dir;
  const auto runs = four_runs(dir);
  EXPECT_EQ(run_in_child_processes(runs, 3, "/bin/false", {}).size(), 4u);
  EXPECT_EQ(run_in_child_processes(runs, 3, dir / "no_such_executable", {}).size(), 4u);
  EXPECT_TRUE(run_in_child_processes(runs, 3, "/bin/true", {}).empty());
}

TEST(ChildRuns, VisibleGpusFollowCudaVisibleDevices) {
  const char* saved = std::getenv("CUDA_VISIBLE_DEVICES");
  const std::string keep = saved ? saved : "";
  unsetenv("CUDA_VISIBLE_DEVICES");
  EXPECT_EQ(visible_gpus(2), (std::vector<std::string>{"0", "1"}));
  EXPECT_TRUE(visible_gpus(0).empty());
  setenv("CUDA_VISIBLE_DEVICES", "3,1", 1);
  EXPECT_EQ(visible_gpus(2), (std::vector<std::string>{"3", "1"}));
  EXPECT_EQ(visible_gpus(1), (std::vector<std::string>{"3"}));
  if (saved)
    setenv("CUDA_VISIBLE_DEVICES", keep.c_str(), 1);
  else
    unsetenv("CUDA_VISIBLE_DEVICES");
}

}  // namespace
}  // namespace retrain
