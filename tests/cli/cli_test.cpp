// The retrain executable as a user meets it: exit codes, one-line reasons, crash and signal safety.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <random>
#include <thread>

#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;
using test::run_retrain;

// A run that takes a few seconds: many replicas so each generation does real work.
constexpr const char* kSlowConfig =
    "seed: 3\ndevice: cpu\ndata: {source: gaussian, n: 50, dim: 2}\nlearner: {type: gaussian, replicas: 2000}\n"
    "loop: {generations: 40, lambda: 0.5, real: fixed, correction: {type: oracle_mixture, gamma: 0.5}}\n";

bool wait_until_exists(const fs::path& p, double seconds) {
  const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < end) {
    if (fs::exists(p)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

TEST(Cli, BadConfigExitsTwoWithOneLineReason) {
  test::ScratchDir dir;
  test::write_text(dir / "bad.yaml", "loop:\n  lamda: 1\n");
  auto r = run_retrain({"run", "--config", (dir / "bad.yaml").string(), "--out", (dir / "runs").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("unknown key 'loop.lamda' (did you mean 'loop.lambda'?)"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(dir / "runs"));
}

TEST(Cli, BadFlagValueAndUnknownFlagExitTwo) {
  test::ScratchDir dir;
  test::write_text(dir / "ok.yaml", "loop: {generations: 1}\n");
  auto r = run_retrain({"--config", (dir / "ok.yaml").string(), "--set", "loop.lambda=-1"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("'loop.lambda' expects a number >= 0, got '-1'"), std::string::npos) << r.output;
  EXPECT_EQ(run_retrain({"run", "--no-such-flag"}).exit_code, 2);
  EXPECT_EQ(run_retrain({"--config", (dir / "ok.yaml").string(), "--device", "tpu"}).exit_code, 2);
}

TEST(Cli, RunWritesTheRunDirectoryAndRefusesToReuseIt) {
  test::ScratchDir dir;
  test::write_text(dir / "exp.yaml", "device: cpu\nloop: {generations: 2}\n");
  const std::vector<std::string> args = {"--config", (dir / "exp.yaml").string(), "--out", (dir / "runs").string()};
  auto r = run_retrain(args);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* f : {"config.yaml", "run.json", "metrics.jsonl", "log.txt", "gaussian_params.csv",
                        "gen_0000/MANIFEST.json", "gen_0002/learner.safetensors", "gen_0002/metrics.json"})
    EXPECT_TRUE(fs::exists(dir / "runs/exp" / f)) << f;
  auto again = run_retrain(args);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.output.find("already exists"), std::string::npos) << again.output;
  auto overwrite = args;
  overwrite.push_back("--overwrite");
  EXPECT_EQ(run_retrain(overwrite).exit_code, 0);
}

TEST(Cli, ContinueStartsARunThenContinuesOrExtendsItAndRefusesAnotherExperiment) {
  test::ScratchDir dir;
  test::write_text(dir / "exp.yaml", "device: cpu\nloop: {generations: 1}\n");
  const std::vector<std::string> args = {"run", "--continue", "--config", (dir / "exp.yaml").string(), "--out",
                                         (dir / "runs").string()};
  auto with = [&](std::vector<std::string> extra) {
    auto all = args;
    all.insert(all.end(), extra.begin(), extra.end());
    return run_retrain(all);
  };
  auto first = with({});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto metrics = test::read_text(dir / "runs/exp/metrics.jsonl");
  auto again = with({});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("--continue: continuing"), std::string::npos) << again.output;
  EXPECT_EQ(test::read_text(dir / "runs/exp/metrics.jsonl"), metrics);
  auto extended = with({"--set", "loop.generations=2"});
  ASSERT_EQ(extended.exit_code, 0) << extended.output;
  EXPECT_TRUE(fs::exists(dir / "runs/exp/gen_0002/MANIFEST.json"));
  EXPECT_TRUE(test::read_text(dir / "runs/exp/metrics.jsonl").starts_with(metrics));
  auto other = with({"--set", "loop.lambda=0.5", "--set", "loop.generations=2"});
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.output.find("holds a run of another experiment (loop.lambda: "), std::string::npos) << other.output;
  EXPECT_EQ(with({"--overwrite"}).exit_code, 2);
}

TEST(Cli, UnwritableOutExitsTwo) {
  test::ScratchDir dir;
  test::write_text(dir / "exp.yaml", "loop: {generations: 1}\n");
  test::write_text(dir / "a_file", "not a directory");
  auto r = run_retrain({"--config", (dir / "exp.yaml").string(), "--out", (dir / "a_file/runs").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("cannot create a writable run directory"), std::string::npos) << r.output;
}

TEST(Cli, ResumeOfSomethingThatIsNotARunExitsTwo) {
  test::ScratchDir dir;
  auto r = run_retrain({"resume", dir.path().string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("is not a retrain run directory"), std::string::npos) << r.output;
  auto other = run_retrain({"resume", dir.path().string(), "--set", "loop.lambda=2"});
  EXPECT_EQ(other.exit_code, 2);
}

TEST(Cli, InfoPrintsVersionsAndTheResolvedConfig) {
  test::ScratchDir dir;
  test::write_text(dir / "exp.yaml", "loop: {lambda: 0.25}\n");
  auto r = run_retrain({"info", "--config", (dir / "exp.yaml").string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("torch: 2."), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("lambda: 0.25"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("resolved config (hash "), std::string::npos) << r.output;
  // A diffusion learner reports its network's size: MLP 4x256 with a 64-feature embedding on 2-D points.
  auto toy = run_retrain({"info", "--config", std::string(test::kSourceDir) + "/configs/toy_8gaussians_edm.yaml"});
  ASSERT_EQ(toy.exit_code, 0) << toy.output;
  const std::int64_t w = 256, e = 64;
  const std::int64_t expected = (e * w + w) + (w * w + w) + (2 * w + w) + 4 * (w * w + w) + (w * 2 + 2);
  EXPECT_NE(toy.output.find(fmt::format("parameters: {}\n", expected)), std::string::npos) << toy.output;
}

TEST(Cli, KillNineMidRunThenResumeReproducesTheUninterruptedRun) {
  test::ScratchDir dir;
  test::write_text(dir / "exp.yaml", kSlowConfig);
  const auto config = (dir / "exp.yaml").string();
  auto full = run_retrain({"--config", config, "--out", (dir / "a").string(), "--quiet"});
  ASSERT_EQ(full.exit_code, 0) << full.output;

  const int pid = test::spawn_retrain({"--config", config, "--out", (dir / "b").string(), "--quiet"}, dir / "b.log");
  ASSERT_TRUE(wait_until_exists(dir / "b/exp/gen_0004", 120)) << test::read_text(dir / "b.log");
  std::this_thread::sleep_for(std::chrono::milliseconds(std::random_device{}() % 40));
  ::kill(pid, SIGKILL);
  EXPECT_EQ(test::wait_for(pid), -SIGKILL);
  ASSERT_FALSE(fs::exists(dir / "b/exp/gen_0040")) << "the run finished before it was killed; make it slower";

  auto resumed = run_retrain({"resume", (dir / "b/exp").string(), "--quiet"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(test::metrics_without_timing(dir / "b/exp/metrics.jsonl"),
            test::metrics_without_timing(dir / "a/exp/metrics.jsonl"));
  EXPECT_EQ(test::read_text(dir / "b/exp/gaussian_params.csv"), test::read_text(dir / "a/exp/gaussian_params.csv"));
}

TEST(Cli, SigtermStopsCleanlyAndTheRunResumes) {
  test::ScratchDir dir;
  test::write_text(dir / "exp.yaml", kSlowConfig);
  const int pid = test::spawn_retrain({"--config", (dir / "exp.yaml").string(), "--out", dir.path().string()},
                                      dir / "log.txt");
  ASSERT_TRUE(wait_until_exists(dir / "exp/gen_0003", 120));
  ::kill(pid, SIGTERM);
  EXPECT_EQ(test::wait_for(pid), 130);
  const std::string log = test::read_text(dir / "log.txt");
  EXPECT_NE(log.find("stopped by SIGTERM"), std::string::npos) << log;
  EXPECT_NE(log.find("retrain resume " + (dir / "exp").string()), std::string::npos) << log;
  auto resumed = run_retrain({"resume", (dir / "exp").string(), "--quiet"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_EQ(test::metrics_without_timing(dir / "exp/metrics.jsonl").size(), 41u);
}

}  // namespace
}  // namespace retrain
