// A tiny image run killed with SIGKILL at random moments (training, sampling, evaluating, writing) and
// resumed each time ends with the same metrics, weights, synthetic shards and per-step training
// statistics (no row lost or doubled) as an uninterrupted run.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <random>
#include <sstream>
#include <thread>

#include "data/image_test_files.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;
using test::run_retrain;

// 40 real 8x8 images; 3 generations of lambda 0.5 (20 synthetic images in shards of 5); snapshots of
// the training every 5 steps; a train_stats.jsonl row every 3 (so snapshots fall mid-window); dropout 0.2 (its masks must be part of what resume reproduces); a few
// seconds per run on one CPU core.
std::string tiny_image_config(const test::ScratchDir& dir) {
  std::vector<torch::Tensor> images;
  for (int i = 0; i < 40; ++i) images.push_back(test::pattern(1, 8, 8, i * 7)[0]);
  test::write_text(dir / "images.idx", test::idx_images(torch::stack(images)));
  return fmt::format(
      "seed: 4\ndevice: cpu\n"
      "data: {{source: image, format: idx, path: {}, n: 0}}\n"
      "learner: {{type: diffusion}}\n"
      "model: {{arch: ddpmpp, channels: 8, channel_mult: [1, 1], num_blocks: 1, attn_resolutions: [], dropout: 0.2}}\n"
      "method: {{type: edm, steps: 4, sample_batch: 8}}\n"
      "train: {{batch: 8, lr: 1.0e-3, ema_halflife_kimg: 0.05, snapshot_kimg: 0.04, stats_every: 3}}\n"
      "gen0: {{kimg: 0.4}}\n"
      "loop: {{generations: 3, lambda: 0.5, kimg_per_generation: 0.4, shard_size: 5}}\n"
      "eval: {{num_samples: 8, grid: 8}}\n",
      (dir / "images.idx").string());
}

std::string bytes_of(const fs::path& file) { return test::read_text(file); }

// The rows of train_stats.jsonl without their timing (images/s, and peak memory on CUDA).
std::vector<std::string> stats_without_timing(const fs::path& file) {
  std::vector<std::string> rows;
  std::istringstream in(test::read_text(file));
  for (std::string line; std::getline(in, line);) {
    auto row = nlohmann::json::parse(line);
    row.erase("images_per_s");
    row.erase("peak_memory_mb");
    rows.push_back(row.dump());
  }
  return rows;
}

TEST(ImageResume, RandomKillsThenResumeReproduceTheUninterruptedRun) {
  test::ScratchDir dir;
  test::write_text(dir / "img.yaml", tiny_image_config(dir));
  const auto config = (dir / "img.yaml").string();
  const auto t0 = std::chrono::steady_clock::now();
  auto full = run_retrain({"--config", config, "--out", (dir / "a").string(), "--quiet"});
  ASSERT_EQ(full.exit_code, 0) << full.output;
  const double run_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  std::mt19937 rng(std::random_device{}());
  const auto run_b = dir / "b/img";
  int kills = 0;
  double base_ms = run_ms;  // the full run's time; halved whenever a run ends before its kill lands
  for (int attempt = 0; attempt < 12 && !fs::exists(run_b / "gen_0003"); ++attempt) {
    const bool first = !fs::exists(run_b);
    const auto args = first ? std::vector<std::string>{"--config", config, "--out", (dir / "b").string(), "--quiet"}
                            : std::vector<std::string>{"resume", run_b.string(), "--quiet"};
    const int pid = test::spawn_retrain(args, dir / fmt::format("b{}.log", attempt));
    std::uniform_real_distribution<double> when(0.15, 0.7);
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(when(rng) * base_ms));
    ::kill(pid, SIGKILL);
    if (test::wait_for(pid) == -SIGKILL) {
      ++kills;
    } else if (kills == 0) {  // a busy machine made the full run slower than this one: start again, kill sooner
      fs::remove_all(dir / "b");
      base_ms /= 2;
    }
  }
  ASSERT_GT(kills, 0) << "no kill landed before the run finished";
  auto resumed = run_retrain({"resume", run_b.string(), "--quiet"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;

  const auto run_a = dir / "a/img";
  EXPECT_EQ(test::metrics_without_timing(run_b / "metrics.jsonl"), test::metrics_without_timing(run_a / "metrics.jsonl"));
  const auto stats = stats_without_timing(run_a / "train_stats.jsonl");
  EXPECT_EQ(stats.size(), 4u * 17u);  // 4 generations of 50 steps: rows at steps 3, 6, ..., 48 and 50
  EXPECT_EQ(stats_without_timing(run_b / "train_stats.jsonl"), stats);
  for (const char* file : {"model.safetensors", "ema.safetensors", "optimizer.safetensors"})
    EXPECT_EQ(bytes_of(run_b / "gen_0003" / file), bytes_of(run_a / "gen_0003" / file)) << file;
  for (int g = 1; g <= 3; ++g)
    for (int shard = 0; shard < 2; ++shard) {
      const auto name = fs::path(fmt::format("gen_{:04d}/synthetic/shard_{:05d}.safetensors", g, shard));
      ASSERT_TRUE(fs::exists(run_a / name)) << name;
      EXPECT_EQ(bytes_of(run_b / name), bytes_of(run_a / name)) << name;
    }
  for (const auto& entry : fs::directory_iterator(run_b)) {  // nothing unfinished is left behind
    const auto name = entry.path().filename().string();
    EXPECT_FALSE(name.ends_with(".training") || name.ends_with(".samples") || name.ends_with(".tmp")) << name;
  }
}

// A stop signal in the middle of a longer training saves a snapshot at that step; resume continues
// from it and ends with the weights of an uninterrupted run.
TEST(ImageResume, SigtermDuringTrainingResumesFromTheSnapshot) {
  test::ScratchDir dir;
  test::write_text(dir / "img.yaml", tiny_image_config(dir));
  const auto longer = [&](const std::string& out) {
    return std::vector<std::string>{"--config", (dir / "img.yaml").string(), "--out", (dir / out).string(),
                                    "--set", "gen0.kimg=4", "--set", "loop.generations=0",
                                    "--set", "train.snapshot_kimg=0.4"};
  };
  const int pid = test::spawn_retrain(longer("b"), dir / "b.log");
  const auto run_b = dir / "b/img";
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!fs::exists(run_b / "gen_0000.training/step_0000000050") && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pid, SIGTERM);
  EXPECT_EQ(test::wait_for(pid), 130) << test::read_text(dir / "b.log");
  const auto log = test::read_text(dir / "b.log");
  EXPECT_TRUE(test::contains(log, "a snapshot was saved")) << log;
  ASSERT_FALSE(fs::exists(run_b / "gen_0000")) << "training finished before the signal; make it longer";

  auto resumed = run_retrain({"resume", run_b.string()});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_TRUE(test::contains(resumed.output, "training continues from snapshot")) << resumed.output;
  EXPECT_FALSE(fs::exists(run_b / "gen_0000.training"));

  auto args = longer("a");
  args.push_back("--quiet");
  auto whole = run_retrain(args);
  ASSERT_EQ(whole.exit_code, 0) << whole.output;
  for (const char* file : {"model.safetensors", "ema.safetensors", "optimizer.safetensors"})
    EXPECT_EQ(bytes_of(run_b / "gen_0000" / file), bytes_of(dir / "a/img/gen_0000" / file)) << file;
  EXPECT_EQ(stats_without_timing(run_b / "train_stats.jsonl"), stats_without_timing(dir / "a/img/train_stats.jsonl"));
}

// A run stopped at a generation boundary and extended (`resume --set loop.generations=N`) ends with the
// weights of a run that went straight to N, dropout included.
TEST(ImageResume, ExtendingAFinishedRunEqualsTheLongerRun) {
  test::ScratchDir dir;
  test::write_text(dir / "img.yaml", tiny_image_config(dir));
  const auto config = (dir / "img.yaml").string();
  auto shorter = run_retrain({"--config", config, "--out", (dir / "b").string(), "--set", "loop.generations=1", "--quiet"});
  ASSERT_EQ(shorter.exit_code, 0) << shorter.output;
  auto extended = run_retrain({"resume", (dir / "b/img").string(), "--set", "loop.generations=2", "--quiet"});
  ASSERT_EQ(extended.exit_code, 0) << extended.output;
  auto straight = run_retrain({"--config", config, "--out", (dir / "a").string(), "--set", "loop.generations=2", "--quiet"});
  ASSERT_EQ(straight.exit_code, 0) << straight.output;
  for (const char* file : {"model.safetensors", "ema.safetensors", "optimizer.safetensors"})
    EXPECT_EQ(bytes_of(dir / "b/img/gen_0002" / file), bytes_of(dir / "a/img/gen_0002" / file)) << file;
}

}  // namespace
}  // namespace retrain
