// scripts/plot.py figure3 on two fake run directories (config.yaml from to_yaml, hand-written metrics.jsonl):
// the PNG is written, every run is labelled from its config, a missing metric is noted, and bad dirs fail.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>

#include "retrain/core/config.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

// `plot.py figure3 --out OUT runs...` through the shell; stdout and stderr together.
test::ProcessResult plot_figure3(const test::ScratchDir& dir, const fs::path& out, const std::vector<fs::path>& runs) {
  std::string command = fmt::format("'{}' '{}/scripts/plot.py' figure3 --out '{}'", test::kPython, test::kSourceDir,
                                    out.string());
  for (const auto& run : runs) command += fmt::format(" '{}'", run.string());
  const auto log = dir / "plot.log";
  const int status = std::system(fmt::format("{} > '{}' 2>&1", command, log.string()).c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, test::read_text(log)};
}

// A run directory with the config.yaml a run of `config` writes and one metrics line per generation 0..2.
fs::path fake_run(const test::ScratchDir& dir, const std::string& name, const Config& config, bool with_precision) {
  const auto run = dir / name;
  test::write_text(run / "config.yaml", to_yaml(config));
  std::string metrics;
  for (int g = 0; g < 3; ++g) {
    metrics += fmt::format(R"({{"generation": {}, "fid": {}, "recall": {}{}}})", g, 20.0 + g, 0.6 - 0.1 * g,
                           with_precision ? fmt::format(R"(, "precision": {})", 0.7 - 0.05 * g) : "");
    metrics += "\n";
  }
  test::write_text(run / "metrics.jsonl", metrics);
  return run;
}

class PlotFigure3 : public ::testing::Test {
 protected:
  void SetUp() override {
    Config baseline;
    baseline.loop.lambda = 0;
    Config corrected;
    corrected.loop.lambda = 0.5;
    corrected.loop.correction.type = "kmeans";
    corrected.loop.correction.strength = 0.5;
    baseline_ = fake_run(dir_, "baseline", baseline, true);
    corrected_ = fake_run(dir_, "corrected", corrected, false);
  }

  test::ScratchDir dir_;
  fs::path baseline_, corrected_;
};

TEST_F(PlotFigure3, WritesThePngWithOneLabelledLinePerRun) {
  const auto out = dir_ / "figures" / "figure3.png";
  const auto r = plot_figure3(dir_, out, {baseline_, corrected_});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(test::read_text(out).substr(0, 8), "\x89PNG\r\n\x1a\n");
  EXPECT_NE(r.output.find(baseline_.string() + ": lambda = 0 (baseline)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(corrected_.string() + ": lambda = 0.5, kmeans strength = 0.5"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(corrected_.string() + " has no precision"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find(baseline_.string() + " has no"), std::string::npos) << r.output;
}

TEST_F(PlotFigure3, AMissingOrIncompleteRunDirectoryFailsNamingIt) {
  const auto out = dir_ / "figure3.png";
  const auto missing = dir_ / "no_such_run";
  auto r = plot_figure3(dir_, out, {baseline_, missing});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("run directory " + missing.string() + " does not exist"), std::string::npos) << r.output;

  fs::remove(corrected_ / "config.yaml");
  r = plot_figure3(dir_, out, {baseline_, corrected_});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find(corrected_.string() + " has no config.yaml"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace retrain
