// The shipped paper configs (CIFAR-10 / FFHQ-64) and config-driven sweeps, as the CLI runs them.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;
using test::run_retrain;

std::string shipped(const std::string& name) { return std::string(test::kSourceDir) + "/configs/" + name; }

// The data sets are not on test machines, so `info` sizes the network from the config alone; the
// counts are the reference implementations' (NVlabs/edm with augment_dim 9; tqch/ddpm-torch).
TEST(PaperConfigs, InfoSizesTheReferenceNetworksWithoutTheData) {
  const std::vector<std::pair<std::string, std::int64_t>> expected = {
      {"cifar_edm.yaml", 55'733'891}, {"ffhq_edm.yaml", 61'805'571}, {"cifar_ddpm.yaml", 35'746'307}};
  for (const auto& [config, parameters] : expected) {
    auto r = run_retrain({"info", "--config", shipped(config), "--device", "cpu"});
    ASSERT_EQ(r.exit_code, 0) << config << "\n" << r.output;
    EXPECT_TRUE(test::contains(r.output, fmt::format("parameters: {}\n", parameters))) << config << "\n" << r.output;
    EXPECT_TRUE(test::contains(r.output, "sized from the config alone")) << config << "\n" << r.output;
    EXPECT_TRUE(test::contains(r.output, "loop.lambda=0,0.001,0.01,0.1,0.2,0.5,1")) << config << "\n" << r.output;
  }
}

TEST(PaperConfigs, InfoWithoutDataOrResolutionNamesTheMissingKey) {
  test::ScratchDir dir;
  test::write_text(dir / "c.yaml", "learner: {type: diffusion}\nmodel: {arch: ddpmpp}\n"
                                   "data: {source: image, format: cifar10, path: " + (dir / "none").string() + "}\n");
  auto r = run_retrain({"info", "--config", (dir / "c.yaml").string(), "--device", "cpu"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(test::contains(r.output, "set data.resolution")) << r.output;
}

constexpr const char* kTinySweep =
    "seed: 1\ndevice: cpu\ndata: {source: gaussian, n: 20, dim: 1}\nlearner: {type: gaussian}\n"
    "loop: {generations: 2, real: fixed}\n";

TEST(PaperConfigs, SweepWithoutGridRunsTheConfigsSweepGrid) {
  test::ScratchDir dir;
  test::write_text(dir / "s.yaml", std::string(kTinySweep) + "sweep: {grid: [\"loop.lambda=0.5,1\"]}\n");
  auto r = run_retrain({"sweep", "--config", (dir / "s.yaml").string(), "--out", dir.path().string(), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto csv = test::read_text(dir / "s/sweep.csv");
  EXPECT_TRUE(test::contains(csv, "0.5")) << csv;
  std::int64_t runs = 0;
  for (const auto& entry : fs::directory_iterator(dir / "s"))
    if (fs::exists(entry.path() / "config.yaml")) ++runs;
  EXPECT_EQ(runs, 2);
}

TEST(PaperConfigs, SweepWithNoGridAnywhereSaysWhereToPutOne) {
  test::ScratchDir dir;
  test::write_text(dir / "s.yaml", kTinySweep);
  auto r = run_retrain({"sweep", "--config", (dir / "s.yaml").string(), "--out", dir.path().string()});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_TRUE(test::contains(r.output, "sweep.grid")) << r.output;
  test::write_text(dir / "bad.yaml", std::string(kTinySweep) + "sweep: {grid: loop.lambda=1}\n");
  auto bad = run_retrain({"sweep", "--config", (dir / "bad.yaml").string(), "--out", dir.path().string()});
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_TRUE(test::contains(bad.output, "'sweep.grid' expects a list of strings")) << bad.output;
}

}  // namespace
}  // namespace retrain
