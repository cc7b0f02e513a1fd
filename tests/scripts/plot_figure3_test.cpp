// scripts/plot.py on fake run directories (config.yaml from to_yaml, hand-written metrics.jsonl): figure3
// writes the PNG, labels every run from its config, notes a missing metric, and fails on bad dirs;
// --pool-seeds turns runs that differ only in their seed into one mean with its standard error.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <cstdlib>

#include "retrain/loop/config.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

// `plot.py ARGS runs...` through the shell; stdout and stderr together.
test::ProcessResult run_plot(const test::ScratchDir& dir, const std::string& args, const std::vector<fs::path>& runs) {
  std::string command = fmt::format("'{}' '{}/scripts/plot.py' {}", test::kPython, test::kSourceDir, args);
  for (const auto& run : runs) command += fmt::format(" '{}'", run.string());
  const auto log = dir / "plot.log";
  const int status = std::system(fmt::format("{} > '{}' 2>&1", command, log.string()).c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, test::read_text(log)};
}

test::ProcessResult plot_figure3(const test::ScratchDir& dir, const fs::path& out, const std::vector<fs::path>& runs) {
  return run_plot(dir, fmt::format("figure3 --out '{}'", out.string()), runs);
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
    corrected.loop.correction.type = CorrectionType::kmeans;
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

// A run of `config` with the given sw2 and fid at generations 0, 1, ...
fs::path run_with_values(const test::ScratchDir& dir, const std::string& name, const Config& config,
                         const std::vector<double>& values) {
  const auto run = dir / name;
  test::write_text(run / "config.yaml", to_yaml(config));
  std::string metrics;
  for (std::size_t g = 0; g < values.size(); ++g)
    metrics += fmt::format(R"({{"generation": {}, "sw2": {}, "fid": {}}})", g, values[g], 10 * values[g]) + "\n";
  test::write_text(run / "metrics.jsonl", metrics);
  return run;
}

TEST(PlotPoolSeeds, RunsThatDifferOnlyInTheirSeedBecomeOneMeanWithItsStandardError) {
  test::ScratchDir dir;
  Config a;
  a.loop.lambda = 0.5;
  a.seed = 0;
  const auto seed0 = run_with_values(dir, "seed0", a, {1.0, 2.0});
  // A run from before train.ema_warmup existed lacks the key; the others hold its default.
  auto yaml = test::read_text(seed0 / "config.yaml");
  const auto key = yaml.find("  ema_warmup: false\n");
  ASSERT_NE(key, std::string::npos) << yaml;
  test::write_text(seed0 / "config.yaml", yaml.erase(key, std::string("  ema_warmup: false\n").size()));
  a.seed = 1;
  a.name = "another_name";
  const auto seed1 = run_with_values(dir, "seed1", a, {3.0, 6.0, 9.0});  // generation 2: only this seed
  Config other = a;
  other.loop.lambda = 1.0;
  const auto single = run_with_values(dir, "single", other, {5.0});

  const auto out = dir / "plots";
  auto r = run_plot(dir, fmt::format("--pool-seeds --metrics sw2 -o '{}'", out.string()), {seed0, seed1, single});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(test::read_text(out / "sw2.png").substr(0, 8), "\x89PNG\r\n\x1a\n");
  // Means 2 and 4; standard errors sqrt(((1-2)^2 + (3-2)^2) / 1 / 2) = 1 and 2. The single run is not pooled.
  const auto csv = test::read_text(out / "pooled_seeds.csv");
  EXPECT_NE(csv.find("\"seed0\",2,0,sw2,2.0,1.0\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\"seed0\",2,1,sw2,4.0,2.0\n"), std::string::npos) << csv;
  EXPECT_EQ(csv.find(",2,2,"), std::string::npos) << csv;
  EXPECT_EQ(csv.find("single"), std::string::npos) << csv;
  r = run_plot(dir, fmt::format("--pool-seeds --metrics sw2 -o '{}'", (dir / "alone").string()), {seed0, single});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir / "alone/sw2.png"));
  EXPECT_FALSE(fs::exists(dir / "alone/pooled_seeds.csv"));  // nothing pooled, no table

  r = run_plot(dir, fmt::format("figure3 --pool-seeds --out '{}'", (dir / "figure3.png").string()), {seed0, seed1, single});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(": lambda = 0.5 (2 seeds)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find(single.string() + ": lambda = 1"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace retrain
