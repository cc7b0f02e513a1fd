// The launcher, build/retrain: it sets libgomp's spin count unless the user chose a wait policy, and it
// refuses with one line when the program it starts is missing.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <regex>

#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

TEST(Launcher, SetsTheSpinCountWhenNoWaitPolicyIsChosen) {
  ::unsetenv("OMP_WAIT_POLICY");
  ::unsetenv("GOMP_SPINCOUNT");
  const auto r = test::run_retrain({"info"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::regex_search(r.output, std::regex("OpenMP wait: GOMP_SPINCOUNT=[0-9]+\n"))) << r.output;
}

TEST(Launcher, KeepsTheUsersWaitPolicy) {
  ::unsetenv("GOMP_SPINCOUNT");
  ::setenv("OMP_WAIT_POLICY", "PASSIVE", 1);
  const auto r = test::run_retrain({"info"});
  ::unsetenv("OMP_WAIT_POLICY");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(test::contains(r.output, "OpenMP wait: OMP_WAIT_POLICY=PASSIVE\n")) << r.output;
}

TEST(Launcher, AMissingProgramIsOneLineNamingIt) {
  test::ScratchDir dir;
  fs::copy_file(test::kRetrainExe, dir / "retrain");
  const auto r = test::run_program((dir / "retrain").string(), {"info"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.output, "retrain: error: cannot start " + (dir / "libexec/retrain").string() +
                          ": No such file or directory\n");
}

}  // namespace
}  // namespace retrain
