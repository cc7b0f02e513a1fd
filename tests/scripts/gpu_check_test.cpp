// scripts/gpu_check.sh: --device cpu --quick on this build's binaries (every step runs, the plan line
// comes first, the summary lists each step with PASS or SKIP, all logs fit in five files, exit 0), and
// on a stand-in test binary: a failing test is named in the summary, a step cut by its limit reads CUT
// with the test it was in.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

struct CheckRun {
  int exit_code = -1;
  std::string console, summary;
};

CheckRun run_check(const fs::path& dir, const std::string& arguments) {
  const auto out = dir / "out";
  // One OpenMP thread: ctest runs tests side by side on few cores (see test_support.cpp).
  const auto command = fmt::format("OMP_NUM_THREADS=1 RETRAIN_PYTHON='{}' '{}/scripts/gpu_check.sh' '{}' {} > '{}' 2>&1",
                                   test::kPython, test::kSourceDir, out.string(), arguments,
                                   (dir / "console.log").string());
  const int status = std::system(command.c_str());
  CheckRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.console = test::read_text(dir / "console.log");
  if (fs::exists(out / "summary.md")) run.summary = test::read_text(out / "summary.md");
  return run;
}

TEST(GpuCheckScript, QuickCpuRunPassesOrSkipsEveryStep) {
  test::ScratchDir dir;
  const auto build = fs::path(test::kRetrainExe).parent_path();
  const auto run = run_check(dir.path(), fmt::format("--device cpu --quick --build '{}'", build.string()));
  EXPECT_EQ(run.exit_code, 0) << run.console;
  EXPECT_EQ(run.console.rfind("gpu_check plan: device cpu, quick, budget ", 0), 0u) << "the plan comes first:\n" << run.console;

  std::string logs;
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir / "out")) {
    ++files;
    if (entry.path().extension() == ".log") logs += test::read_text(entry.path());
  }
  EXPECT_LE(files, 6) << "the device tool brings back at most 8 files; the check keeps to 6";
  for (const char* step : {"device", "matmul", "gpu_tests", "bench", "cli", "ops", "memcheck"}) {
    const std::regex row(fmt::format(R"(\n\| {} \| (PASS|SKIP) \| [0-9]+ \| [^|\n]+ \|\n)", step));
    EXPECT_TRUE(std::regex_search(run.summary, row)) << step << " has no PASS/SKIP row in\n" << run.summary << "\n" << run.console;
    EXPECT_TRUE(test::contains(logs, fmt::format("=== {} (limit ", step))) << step << "'s log section is missing";
    EXPECT_TRUE(test::contains(run.summary, fmt::format("{} ", step))) << step << " is not in the plan";
  }
  EXPECT_FALSE(test::contains(run.summary, "| FAIL |")) << run.summary;
  EXPECT_TRUE(test::contains(run.summary, "## Fused ops")) << run.summary;
  EXPECT_TRUE(test::contains(run.summary, "## Network benchmark")) << run.summary;
  // Every row of the network table has as many cells as its header (fmt drops surplus arguments silently).
  const auto header = run.summary.find("| network | parameters |");
  ASSERT_NE(header, std::string::npos) << run.summary;
  std::istringstream table(run.summary.substr(header));
  std::string line;
  std::getline(table, line);
  const auto cells = std::count(line.begin(), line.end(), '|');
  int rows = 0;
  while (std::getline(table, line) && !line.empty() && line[0] == '|') {
    EXPECT_EQ(std::count(line.begin(), line.end(), '|'), cells) << line;
    ++rows;
  }
  EXPECT_GE(rows, 7) << "the separator and two rows per network";
}

// A build directory whose tests/retrain_tests is the shell script `body`.
fs::path stand_in_build(const fs::path& dir, const std::string& body) {
  fs::create_directories(dir / "fake" / "tests");
  const auto binary = dir / "fake" / "tests" / "retrain_tests";
  std::ofstream(binary) << "#!/bin/sh\n" << body;
  fs::permissions(binary, fs::perms::owner_all);
  return dir / "fake";
}

TEST(GpuCheckScript, AFailingTestIsNamedInTheSummary) {
  test::ScratchDir dir;
  const auto build = stand_in_build(dir.path(), R"sh(echo "[ RUN      ] Fake.Passes"
echo "[       OK ] Fake.Passes (0 ms)"
echo "[ RUN      ] Fake.Breaks"
echo "fake_test.cpp:1: Failure"
echo "[  FAILED  ] Fake.Breaks (0 ms)"
echo "[  FAILED  ] 1 test, listed below:"
echo "[  FAILED  ] Fake.Breaks"
exit 1
)sh");
  const auto run = run_check(dir.path(), fmt::format("--device cpu --only gpu_tests --build '{}'", build.string()));
  EXPECT_EQ(run.exit_code, 1) << run.console;
  EXPECT_TRUE(std::regex_search(run.summary, std::regex(R"(\| gpu_tests \| FAIL \| [0-9]+ \| 1 passed, 0 skipped; failed: Fake.Breaks \|)")))
      << run.summary;
}

TEST(GpuCheckScript, AStepCutByTheBudgetReadsCutAndNamesWhereItWas) {
  test::ScratchDir dir;
  const auto build = stand_in_build(dir.path(), R"sh(echo "[ RUN      ] Fake.Quick"
echo "[       OK ] Fake.Quick (0 ms)"
echo "[ RUN      ] Fake.Hangs"
sleep 120
)sh");
  const auto run = run_check(dir.path(), fmt::format("--device cpu --only gpu_tests --budget 6 --build '{}'", build.string()));
  EXPECT_EQ(run.exit_code, 3) << run.console;
  EXPECT_TRUE(test::contains(run.console, "gpu_check plan: device cpu, budget 6 s: gpu_tests 6 (seconds)")) << run.console;
  EXPECT_TRUE(std::regex_search(run.summary, std::regex(R"(\| gpu_tests \| CUT \| [0-9]+ \| 1 passed, 0 skipped; stopped \(exit 124\) in Fake.Hangs \(cut at 6 s\) \|)")))
      << run.summary;
}

}  // namespace
}  // namespace retrain
