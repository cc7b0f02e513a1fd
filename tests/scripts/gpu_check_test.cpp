// scripts/gpu_check.sh --device cpu --quick on this build's binaries: every step runs, the summary table
// lists each with PASS or SKIP, every step leaves its log, and the script exits 0.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>
#include <regex>

#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

TEST(GpuCheckScript, QuickCpuRunPassesOrSkipsEveryStep) {
  test::ScratchDir dir;
  const auto out = dir / "out";
  const auto build = fs::path(test::kRetrainExe).parent_path();
  // One OpenMP thread: ctest runs tests side by side on few cores (see test_support.cpp).
  const auto command =
      fmt::format("OMP_NUM_THREADS=1 RETRAIN_PYTHON='{}' '{}/scripts/gpu_check.sh' '{}' --device cpu --quick --build '{}' "
                  "> '{}' 2>&1",
                  test::kPython, test::kSourceDir, out.string(), build.string(), (dir / "console.log").string());
  const int status = std::system(command.c_str());
  const auto console = test::read_text(dir / "console.log");
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << console;

  const auto summary = test::read_text(out / "summary.md");
  for (const char* step : {"device", "matmul", "gpu_tests", "memcheck", "cli", "ops", "bench"}) {
    const std::regex row(fmt::format(R"(\n\| {} \| (PASS|SKIP) \| [0-9]+ \| [^|\n]+ \|\n)", step));
    EXPECT_TRUE(std::regex_search(summary, row)) << step << " has no PASS/SKIP row in\n" << summary << "\n" << console;
    EXPECT_TRUE(fs::exists(out / (std::string(step) + ".log"))) << step;
  }
  EXPECT_FALSE(test::contains(summary, "| FAIL |")) << summary;
  EXPECT_TRUE(test::contains(summary, "## Fused ops")) << summary;
  EXPECT_TRUE(test::contains(summary, "## Network benchmark")) << summary;
}

}  // namespace
}  // namespace retrain
