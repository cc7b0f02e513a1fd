// A run on several processes as users start it (scripts/launch_local.sh, torchrun --no-python): its
// metrics equal a one-process run's up to the order of the gradient sums, it resumes at another
// number of processes, and a rank that dies makes the others fail with one line naming the timeout.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "dist/ranks.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

// Toy EDM on 8 Gaussians, small enough for seconds: 300 real points, 240-point batches (divisible by
// 1, 2 and 3 processes), 100-sample shards, so every rank samples some of each generation.
constexpr const char* kConfig =
    "seed: 4\ndevice: cpu\ndata: {source: toy2d, name: 8gaussians, n: 300}\nlearner: {type: diffusion}\n"
    "model: {arch: mlp, width: 32, depth: 2, embedding_dim: 16}\nmethod: {type: edm, steps: 8, sample_batch: 100}\n"
    "train: {batch: 240, ema_halflife_kimg: 1}\ngen0: {kimg: 4.8}\n"
    "loop: {generations: 2, lambda: 1, real: fixed, kimg_per_generation: 2.4, shard_size: 100}\n"
    "eval: {num_samples: 300}\ndist: {timeout_s: 20}\n";

std::string launch_local() { return std::string(test::kSourceDir) + "/scripts/launch_local.sh"; }

test::ProcessResult on_ranks(int n, std::vector<std::string> args) {
  args.insert(args.begin(), {std::to_string(n), test::kRetrainExe});
  return test::run_program(launch_local(), args);
}

// metrics.jsonl rows by generation, without wall time.
std::vector<nlohmann::json> metrics(const fs::path& run) {
  std::vector<nlohmann::json> rows;
  for (const auto& line : test::metrics_without_timing(run / "metrics.jsonl")) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

void expect_close_metrics(const fs::path& a, const fs::path& b) {
  const auto ra = metrics(a), rb = metrics(b);
  ASSERT_EQ(ra.size(), rb.size());
  for (std::size_t g = 0; g < ra.size(); ++g)
    for (const auto& [key, value] : ra[g].items()) {
      ASSERT_TRUE(rb[g].contains(key)) << key;
      if (!value.is_number()) continue;
      const double x = value.get<double>(), y = rb[g][key].get<double>();
      EXPECT_NEAR(x, y, 1e-4 * (1 + std::abs(x))) << "generation " << g << ": " << key;
    }
}

// train_stats.jsonl rows as (generation, step, images): which rows were written, and how often.
std::vector<std::array<std::int64_t, 3>> stats_rows(const fs::path& run) {
  std::vector<std::array<std::int64_t, 3>> rows;
  std::istringstream in(test::read_text(run / "train_stats.jsonl"));
  for (std::string line; std::getline(in, line);) {
    const auto row = nlohmann::json::parse(line);
    rows.push_back({row["generation"].get<std::int64_t>(), row["step"].get<std::int64_t>(), row["images"].get<std::int64_t>()});
  }
  return rows;
}

class DistributedRun : public ::testing::Test {
 protected:
  void SetUp() override { test::write_text(dir_ / "toy.yaml", kConfig); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  test::ScratchDir dir_;
};

TEST_F(DistributedRun, TwoRanksEqualOneProcess) {
  const auto one = test::run_retrain({"run", "--config", path("toy.yaml"), "--out", path("one"), "-q"});
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const auto two = on_ranks(2, {"run", "--config", path("toy.yaml"), "--out", path("two"), "-q"});
  ASSERT_EQ(two.exit_code, 0) << two.output;
  expect_close_metrics(dir_ / "one/toy", dir_ / "two/toy");
  const auto stats = stats_rows(dir_ / "one/toy");
  EXPECT_FALSE(stats.empty());
  EXPECT_EQ(stats_rows(dir_ / "two/toy"), stats);  // written by rank 0 alone: no row twice
  for (int s = 0; s < 3; ++s)  // 300 synthetic samples in 3 shards, made by both ranks
    EXPECT_TRUE(fs::exists(dir_ / fmt::format("two/toy/gen_0002/synthetic/shard_{:05d}.safetensors", s))) << s;
  EXPECT_FALSE(fs::exists(dir_ / "two/toy/gen_0002.samples"));
}

TEST_F(DistributedRun, ResumesAtAnotherNumberOfProcesses) {
  const auto one = test::run_retrain({"run", "--config", path("toy.yaml"), "--out", path("one"), "-q"});
  ASSERT_EQ(one.exit_code, 0) << one.output;
  const auto first = on_ranks(2, {"run", "--config", path("toy.yaml"), "--out", path("mixed"), "--set",
                                  "loop.generations=1", "-q"});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  const auto rest = on_ranks(3, {"resume", path("mixed/toy"), "--set", "loop.generations=2", "-q"});
  ASSERT_EQ(rest.exit_code, 0) << rest.output;
  expect_close_metrics(dir_ / "one/toy", dir_ / "mixed/toy");
}

TEST_F(DistributedRun, TorchrunStartsTheRanks) {
  const auto torchrun = fs::path(test::kPython).parent_path() / "torchrun";
  if (!fs::exists(torchrun)) GTEST_SKIP() << "no torchrun beside " << test::kPython;
  const auto r = test::run_program(torchrun.string(), {"--nproc-per-node", "2", "--master-port",
                                                       std::to_string(test::free_port()), "--no-python",
                                                       test::kRetrainExe, "run", "--config", path("toy.yaml"), "--out",
                                                       path("torchrun"), "--set", "loop.generations=1", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(metrics(dir_ / "torchrun/toy").size(), 2u);
}

// A /proc file's text; empty when the process is gone.
std::string proc_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The pid of `parent`'s child process whose environment holds `variable` (e.g. "RANK=1"), or 0.
int child_with(int parent, const std::string& variable) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const auto status = proc_text(entry.path() / "status");
    if (!test::contains(status, fmt::format("\nPPid:\t{}\n", parent))) continue;
    const auto environ = proc_text(entry.path() / "environ");
    if (test::contains(std::string(1, '\0') + environ, std::string(1, '\0') + variable + '\0'))
      return std::stoi(entry.path().filename().string());
  }
  return 0;
}

TEST_F(DistributedRun, ATorchrunRestartContinuesFromTheNewestSnapshot) {
  const auto torchrun = fs::path(test::kPython).parent_path() / "torchrun";
  if (!fs::exists(torchrun)) GTEST_SKIP() << "no torchrun beside " << test::kPython;
  const auto log = dir_ / "torchrun.log";
  const int agent = test::spawn_program(
      torchrun.string(),
      {"--nproc-per-node", "2", "--max-restarts", "1", "--monitor-interval", "0.2", "--master-port",
       std::to_string(test::free_port()), "--no-python", test::kRetrainExe, "train", "--config", path("toy.yaml"),
       "--out", path("restarted"), "--set", "gen0.kimg=480", "--set", "train.snapshot_kimg=24", "--set", "dist.timeout_s=10"},
      log);
  // Kill rank 1 once the first snapshot is written; the agent then stops rank 0 and starts both again.
  const auto snapshots = dir_ / "restarted/toy/gen_0000.training";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(snapshots) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const int rank1 = child_with(agent, "RANK=1");
  ASSERT_GT(rank1, 0) << test::read_text(log);
  ::kill(rank1, SIGKILL);
  const auto code = test::wait_for(agent, std::chrono::seconds(180));
  const auto output = test::read_text(log);
  ASSERT_TRUE(code.has_value()) << "torchrun did not finish within 180 s (stopped):\n" << output;
  ASSERT_EQ(*code, 0) << output;
  EXPECT_TRUE(test::contains(output, "torchrun restart 1: continuing ")) << output;
  EXPECT_TRUE(test::contains(output, "generation 0 training continues from snapshot ")) << output;
  EXPECT_EQ(metrics(dir_ / "restarted/toy").size(), 1u);
}

TEST_F(DistributedRun, CommandsOtherThanARunRefuseSeveralProcesses) {
  const auto r = test::run_program("/usr/bin/env", {"WORLD_SIZE=2", "RANK=1", "MASTER_ADDR=127.0.0.1", test::kRetrainExe,
                                                    "sweep", "--config", path("toy.yaml"), "--grid", "seed=1,2"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.output, "retrain: error: `retrain sweep` runs in one process, but a launcher started 2 (torchrun): only "
                      "run, train and resume use several (a sweep: one `retrain sweep --point K` per job-array task)\n");
}

// Starts two ranks of a long generation-0 training by hand (no launcher), logs in rank0.log, rank1.log.
std::vector<int> start_two_ranks(const test::ScratchDir& dir, const std::string& config, const std::string& out) {
  const int port = test::free_port();
  std::vector<int> pids;
  for (int r = 0; r < 2; ++r) {
    const auto command = fmt::format(
        "RANK={0} LOCAL_RANK={0} WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT={1} exec {2} run --config {3} --out {4} "
        "--set gen0.kimg=10000 --set train.snapshot_kimg=100 --set dist.timeout_s=10",
        r, port, test::kRetrainExe, config, out);
    pids.push_back(test::spawn_program("/bin/bash", {"-c", command}, dir / fmt::format("rank{}.log", r)));
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));  // both are training by then
  return pids;
}

TEST_F(DistributedRun, ASignalToOneRankStopsBothAtTheSameStepWithASnapshot) {
  const auto pids = start_two_ranks(dir_, path("toy.yaml"), path("stopped"));
  ::kill(pids[1], SIGTERM);
  const int code0 = test::wait_for(pids[0]), code1 = test::wait_for(pids[1]);
  const auto log0 = test::read_text(dir_ / "rank0.log"), log1 = test::read_text(dir_ / "rank1.log");
  EXPECT_EQ(code0, 130) << log0;
  EXPECT_EQ(code1, 130) << log1;
  EXPECT_TRUE(test::contains(log1, "stopped by SIGTERM while training (step ")) << log1;
  EXPECT_TRUE(test::contains(log0, "stopped because another rank received a stop signal, while training (step ")) << log0;
  // The same step on both, and rank 0 saved the snapshot there.
  const auto step_of = [](const std::string& log) {
    const auto at = log.find("training (step ");
    return at == std::string::npos ? std::string() : log.substr(at, log.find(' ', at + 15) - at);
  };
  EXPECT_EQ(step_of(log0), step_of(log1));
  EXPECT_TRUE(test::contains(log0, "a snapshot was saved")) << log0;
  EXPECT_TRUE(fs::exists(dir_ / "stopped/toy/gen_0000.training")) << log0;
}

TEST_F(DistributedRun, AKilledRankMakesTheOtherFailNamingTheTimeout) {
  const auto pids = start_two_ranks(dir_, path("toy.yaml"), path("killed"));
  ::kill(pids[1], SIGKILL);
  const auto start = std::chrono::steady_clock::now();
  const int code = test::wait_for(pids[0]);
  test::wait_for(pids[1]);
  const auto log = test::read_text(dir_ / "rank0.log");
  EXPECT_EQ(code, 1) << log;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  EXPECT_TRUE(test::contains(log, "retrain: error: rank 0 of 2: ")) << log;
  EXPECT_TRUE(test::contains(log, "failed within dist.timeout_s = 10 s")) << log;
}

}  // namespace
}  // namespace retrain
