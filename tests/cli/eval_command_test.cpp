// `retrain eval`: re-evaluating a tiny toy diffusion run (same numbers without overrides, selected
// generations, output under RUN/eval/TAG, the run untouched) and evaluating a checkpoint directory.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <sstream>

#include "data/image_test_files.hpp"
#include "retrain/core/manifest.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;
using test::contains;
using test::run_retrain;

// Seconds on a CPU: a small MLP, few images, few sampler steps, 2 generations after generation 0.
constexpr const char* kToyRun =
    "seed: 7\ndevice: cpu\ndata: {source: toy2d, name: 8gaussians, n: 200}\nlearner: {type: diffusion}\n"
    "model: {width: 32, depth: 2, embedding: positional}\nmethod: {type: edm, steps: 8, edm: {sigma_data: 1.0}}\n"
    "train: {lr: 0.002, batch: 100, ema_halflife_kimg: 1}\ngen0: {kimg: 1}\n"
    "loop: {generations: 2, lambda: 1, kimg_per_generation: 0.5}\neval: {num_samples: 200}\n";

// Keys of a run's metrics.json that describe training, not the evaluated model (and "generation", checked apart).
bool training_key(const std::string& key) {
  return key == "generation" || key == "n_train" || key == "n_synthetic_new" || key == "wall_s" || key == "loss";
}

std::vector<nlohmann::json> read_jsonl(const fs::path& file) {
  std::vector<nlohmann::json> rows;
  std::istringstream in(test::read_text(file));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

// Every file of the run outside eval/ (and the feature cache), by relative path.
std::map<std::string, std::string> committed_files(const fs::path& run) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(run)) {
    const auto rel = entry.path().lexically_relative(run).string();
    if (entry.is_regular_file() && !rel.starts_with("eval/") && !rel.starts_with("cache/"))
      files[rel] = test::read_text(entry.path());
  }
  return files;
}

// One toy run shared by the tests (each writes its own eval TAG).
class EvalCommand : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = std::make_unique<test::ScratchDir>();
    test::write_text(*scratch_ / "toy.yaml", kToyRun);
    const auto r = run_retrain({"run", "--config", (*scratch_ / "toy.yaml").string(), "--out",
                                (*scratch_ / "runs").string(), "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  static void TearDownTestSuite() { scratch_.reset(); }
  static fs::path run() { return *scratch_ / "runs/toy"; }
  static fs::path scratch() { return scratch_->path(); }

  static std::unique_ptr<test::ScratchDir> scratch_;
};
std::unique_ptr<test::ScratchDir> EvalCommand::scratch_;

void expect_same_metrics(const nlohmann::json& original, const nlohmann::json& again) {
  for (auto it = original.begin(); it != original.end(); ++it) {
    if (training_key(it.key())) continue;
    ASSERT_TRUE(again.contains(it.key())) << it.key();
    EXPECT_EQ(again[it.key()], *it) << it.key();
  }
}

TEST_F(EvalCommand, WithoutOverridesReproducesTheRunsMetricsAndLeavesTheRunAlone) {
  const auto before = committed_files(run());
  const auto r = run_retrain({"eval", run().string(), "--name", "same"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(committed_files(run()), before);

  const auto out = run() / "eval/same";
  const auto rows = read_jsonl(out / "metrics.jsonl");
  ASSERT_EQ(rows.size(), 3u);
  for (std::int64_t g = 0; g < 3; ++g) {
    EXPECT_EQ(rows[g]["generation"], g);
    const auto original = nlohmann::json::parse(test::read_text(run() / fmt::format("gen_{:04d}/metrics.json", g)));
    expect_same_metrics(original, rows[g]);
    EXPECT_TRUE(fs::exists(out / fmt::format("gen_{:04d}/samples.npy", g)));
  }
  EXPECT_TRUE(fs::exists(out / "config.yaml"));
  EXPECT_TRUE(contains(r.output, "generation")) << r.output;
  EXPECT_TRUE(contains(r.output, "sw2")) << r.output;
}

TEST_F(EvalCommand, GenerationsSelectsAndOverridesLandInTheTagsConfig) {
  const auto r = run_retrain(
      {"eval", run().string(), "--generations", "0,2", "--set", "eval.num_samples=100", "--name", "few", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto out = run() / "eval/few";
  const auto rows = read_jsonl(out / "metrics.jsonl");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0]["generation"], 0);
  EXPECT_EQ(rows[1]["generation"], 2);
  EXPECT_FALSE(fs::exists(out / "gen_0001"));
  EXPECT_TRUE(contains(test::read_text(out / "config.yaml"), "num_samples: 100"));
  const auto original = nlohmann::json::parse(test::read_text(run() / "gen_0002/metrics.json"));
  EXPECT_NE(rows[1]["sw2"], original["sw2"]);  // fewer samples, other numbers
}

TEST_F(EvalCommand, AnUncommittedGenerationIsAnErrorListingTheCommittedOnes) {
  const auto r = run_retrain({"eval", run().string(), "--generations", "1-5", "--name", "missing"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.output, "generation 3")) << r.output;
  EXPECT_TRUE(contains(r.output, "committed: 0-2")) << r.output;
  EXPECT_FALSE(fs::exists(run() / "eval/missing"));
}

TEST_F(EvalCommand, ANonEvalSetIsRejectedNamingTheKey) {
  const auto r = run_retrain({"eval", run().string(), "--set", "data.n=50", "--name", "bad"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.output, "data.n")) << r.output;
  EXPECT_TRUE(contains(r.output, "only eval.* keys and device")) << r.output;
  EXPECT_FALSE(fs::exists(run() / "eval/bad"));
}

TEST_F(EvalCommand, AnExistingTagIsRefusedWithoutOverwrite) {
  const std::vector<std::string> args = {"eval", run().string(), "--generations", "1", "--name", "twice", "-q"};
  ASSERT_EQ(run_retrain(args).exit_code, 0);
  const auto again = run_retrain(args);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_TRUE(contains(again.output, "already exists")) << again.output;
  auto overwrite = args;
  overwrite.push_back("--overwrite");
  EXPECT_EQ(run_retrain(overwrite).exit_code, 0);
}

TEST_F(EvalCommand, ACheckpointIsEvaluatedWithAConfigOutsideIt) {
  // The weights of generation 0 with a manifest of their own: a checkpoint outside any run (as
  // scripts/convert_checkpoint.py writes one).
  const auto checkpoint = scratch() / "checkpoint";
  fs::create_directories(checkpoint);
  for (const char* f : {"model.safetensors", "ema.safetensors", "optimizer.safetensors", "trainer.json", "network.json"})
    fs::copy_file(run() / "gen_0000" / f, checkpoint / f);
  write_manifest(checkpoint);
  const auto cwd = scratch() / "cwd";
  fs::create_directories(cwd);
  const auto r = run_retrain({"eval", checkpoint.string(), "--config", (run() / "config.yaml").string(), "-q"}, cwd);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "sw2: ")) << r.output;
  EXPECT_EQ(verify_manifest(checkpoint), std::nullopt) << "the evaluation wrote into the checkpoint";
  const auto metrics = nlohmann::json::parse(test::read_text(cwd / "eval-checkpoint/metrics.json"));
  // Generation 0's evaluation stream and weights: the run's numbers.
  expect_same_metrics(nlohmann::json::parse(test::read_text(run() / "gen_0000/metrics.json")), metrics);

  const auto out = scratch() / "elsewhere";
  const auto chosen = run_retrain({"eval", (run() / "gen_0001").string(), "--config",
                                   (run() / "config.yaml").string(), "--out-dir", out.string(), "-q"});
  ASSERT_EQ(chosen.exit_code, 0) << chosen.output;
  EXPECT_TRUE(fs::exists(out / "metrics.json"));
  EXPECT_FALSE(fs::exists(run() / "gen_0001/eval"));
}

TEST_F(EvalCommand, ACheckpointNeedsAConfig) {
  const auto r = run_retrain({"eval", (run() / "gen_0000").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.output, "--config")) << r.output;
}

// An image run small enough for seconds: 8x8 RGB images, a two-level ddpmpp of 8 channels, 2 samples.
TEST(EvalCommandImages, AnImageRunIsReEvaluatedToTheSameGrid) {
  test::ScratchDir dir;
  for (int i = 0; i < 16; ++i)
    test::write_text(dir / fmt::format("images/img{:05d}.png", i), test::png_bytes(test::pattern(3, 8, 8, 9 * i)));
  test::write_text(dir / "img.yaml",
                   fmt::format("seed: 5\ndevice: cpu\ndata: {{source: image, format: folder, path: '{}', n: 8}}\n"
                               "learner: {{type: diffusion}}\nmodel: {{arch: ddpmpp, channels: 8, channel_mult: [1, 2], "
                               "num_blocks: 1, attn_resolutions: [], dropout: 0}}\nmethod: {{type: edm, steps: 2}}\n"
                               "train: {{batch: 8}}\ngen0: {{kimg: 0.016}}\n"
                               "loop: {{generations: 1, lambda: 0.25, kimg_per_generation: 0.008}}\n"
                               "eval: {{num_samples: 2, grid: 2}}\n",
                               (dir / "images").string()));
  const auto r = run_retrain({"run", "--config", (dir / "img.yaml").string(), "--out", (dir / "runs").string(), "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto run = dir / "runs/img";
  const auto again = run_retrain({"eval", run.string(), "--generations", "1", "-q"});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(test::read_text(run / "eval/eval/gen_0001/grid.png"), test::read_text(run / "gen_0001/grid.png"));
  const auto rows = read_jsonl(run / "eval/eval/metrics.jsonl");
  ASSERT_EQ(rows.size(), 1u);
  expect_same_metrics(nlohmann::json::parse(test::read_text(run / "gen_0001/metrics.json")), rows[0]);
}

TEST(EvalCommandTarget, APathThatIsNeitherFailsNamingIt) {
  test::ScratchDir dir;
  const auto r = run_retrain({"eval", dir.path().string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.output, dir.path().string())) << r.output;
  EXPECT_TRUE(contains(r.output, "neither a run directory")) << r.output;
}

}  // namespace
}  // namespace retrain
