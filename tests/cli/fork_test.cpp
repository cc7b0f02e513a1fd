// `retrain fork`: the fork's generations 0..G are the parent's byte for byte (hard links on one file
// system), its later generations follow the changed keys (and, with none changed, are the parent's
// exactly), its tables start with the parent's rows, fork.json names the parent; changes of other
// keys, missing generations and taken names are refused with the reason.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

#include <algorithm>
#include <sstream>

#include "retrain/loop/config.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;
using test::run_retrain;

// A toy diffusion run: 3 generations of lambda 0.5 on 64 points, a train_stats.jsonl row every 2 steps.
constexpr const char* kParent =
    "device: cpu\nseed: 2\ndata: {source: toy2d, name: 8gaussians, n: 64}\nlearner: {type: diffusion}\n"
    "model: {width: 32, depth: 2}\nmethod: {type: edm, steps: 4}\n"
    "train: {batch: 32, stats_every: 2}\ngen0: {kimg: 0.32}\n"
    "loop: {generations: 3, lambda: 0.5, kimg_per_generation: 0.16}\neval: {num_samples: 64}\n";

std::vector<nlohmann::json> jsonl(const fs::path& file) {
  std::vector<nlohmann::json> rows;
  std::istringstream in(test::read_text(file));
  for (std::string line; std::getline(in, line);) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

std::vector<nlohmann::json> rows_up_to(const std::vector<nlohmann::json>& rows, std::int64_t generation) {
  std::vector<nlohmann::json> kept;
  for (const auto& row : rows)
    if (row["generation"].get<std::int64_t>() <= generation) kept.push_back(row);
  return kept;
}

std::vector<std::string> files_below(const fs::path& dir) {
  std::vector<std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) files.push_back(fs::relative(entry.path(), dir).string());
  std::sort(files.begin(), files.end());
  return files;
}

nlohmann::json state_of(const fs::path& gen) { return nlohmann::json::parse(test::read_text(gen / "state.json")); }

class Fork : public ::testing::Test {
 protected:
  void SetUp() override {
    test::write_text(dir_ / "toy.yaml", kParent);
    auto r = run_retrain({"--config", (dir_ / "toy.yaml").string(), "--out", (dir_ / "runs").string(), "--quiet"});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  test::ProcessResult fork(std::vector<std::string> extra) {
    std::vector<std::string> args = {"fork", parent().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("--quiet");
    return run_retrain(args);
  }
  fs::path parent() const { return dir_ / "runs/toy"; }
  test::ScratchDir dir_;
};

TEST_F(Fork, SharesGenerationsUpToGThenFollowsTheNewLambda) {
  test::write_text(parent() / "cache/features-x-y.safetensors", "cached");  // as an image run's feature cache
  auto r = fork({"--at", "1", "--name", "lambda1", "--set", "loop.lambda=1"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto child = dir_ / "runs/lambda1";  // a sibling of the parent
  for (int g = 0; g <= 1; ++g) {
    const auto name = fmt::format("gen_{:04d}", g);
    const auto files = files_below(parent() / name);
    ASSERT_EQ(files_below(child / name), files) << name;
    for (const auto& file : files) {
      EXPECT_EQ(test::read_text(child / name / file), test::read_text(parent() / name / file)) << name << "/" << file;
      struct stat a {}, b {};
      ASSERT_EQ(::stat((child / name / file).c_str(), &a), 0);
      ASSERT_EQ(::stat((parent() / name / file).c_str(), &b), 0);
      EXPECT_EQ(a.st_ino, b.st_ino) << name << "/" << file << " is not a hard link";
    }
  }
  EXPECT_EQ(test::read_text(child / "cache/features-x-y.safetensors"), "cached");
  const auto fork_json = nlohmann::json::parse(test::read_text(child / "fork.json"));
  EXPECT_EQ(fork_json["parent"], fs::weakly_canonical(parent()).string());
  EXPECT_EQ(fork_json["at"], 1);
  const Config config = load_config_text(test::read_text(child / "config.yaml"), "config.yaml");
  EXPECT_EQ(config.loop.lambda, 1.0);
  EXPECT_EQ(config.name, "lambda1");

  // Generations 2 and 3 draw floor(1 * 64) synthetic points where the parent drew floor(0.5 * 64).
  for (int g = 2; g <= 3; ++g) {
    const auto name = fmt::format("gen_{:04d}", g);
    EXPECT_EQ(state_of(parent() / name)["n_synthetic_new"], 32) << name;
    EXPECT_EQ(state_of(child / name)["n_synthetic_new"], 64) << name;
    EXPECT_EQ(state_of(child / name)["n_train"], 64 + 64) << name;
    EXPECT_NE(test::read_text(child / name / "model.safetensors"), test::read_text(parent() / name / "model.safetensors"));
  }
  const auto metrics = jsonl(child / "metrics.jsonl");
  ASSERT_EQ(metrics.size(), 4u);
  EXPECT_EQ(rows_up_to(metrics, 1), rows_up_to(jsonl(parent() / "metrics.jsonl"), 1));
  const auto stats = jsonl(child / "train_stats.jsonl");
  EXPECT_EQ(rows_up_to(stats, 1), rows_up_to(jsonl(parent() / "train_stats.jsonl"), 1));
  EXPECT_EQ(stats.back()["generation"], 3);
  EXPECT_EQ(stats.size(), jsonl(parent() / "train_stats.jsonl").size());  // the same steps per generation
  // The fork's report page names its parent.
  ASSERT_TRUE(fs::exists(child / "report.html"));
  EXPECT_TRUE(test::contains(test::read_text(child / "report.html"), "Forked from")) << "no parent line in the page";
}

// With no key changed, the fork continues exactly as the parent did (the same streams, the same
// weights), so sharing generations loses nothing; a larger loop.generations extends it.
TEST_F(Fork, WithNothingChangedTheLaterGenerationsAreTheParents) {
  auto r = fork({"--at", "1", "--name", "same", "--out", (dir_ / "elsewhere").string(), "--set", "loop.generations=4"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto child = dir_ / "elsewhere/same";
  for (int g = 2; g <= 3; ++g)
    for (const char* file : {"model.safetensors", "ema.safetensors", "optimizer.safetensors", "synthetic/shard_00000.safetensors"})
      EXPECT_EQ(test::read_text(child / fmt::format("gen_{:04d}", g) / file),
                test::read_text(parent() / fmt::format("gen_{:04d}", g) / file)) << g << " " << file;
  EXPECT_TRUE(fs::exists(child / "gen_0004"));
  EXPECT_FALSE(fs::exists(parent() / "gen_0004"));
}

TEST_F(Fork, RefusesOtherKeysMissingGenerationsAndTakenNames) {
  auto other = fork({"--at", "1", "--name", "wider", "--set", "model.width=64", "--set", "loop.lambda=2"});
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_TRUE(test::contains(other.output, "fork: model.width: '32' -> '64' cannot change: generations 0..1 were made with "
                                           "the parent's values; a fork may change only loop.* and eval.* keys"))
      << other.output;
  auto seed = fork({"--at", "0", "--name", "seeded", "--set", "seed=3"});
  EXPECT_EQ(seed.exit_code, 2);
  EXPECT_TRUE(test::contains(seed.output, "seed: '2' -> '3' cannot change")) << seed.output;
  auto late = fork({"--at", "5", "--name", "late", "--set", "loop.generations=8"});
  EXPECT_EQ(late.exit_code, 2);
  EXPECT_TRUE(test::contains(late.output, "has no committed generation 4 (--at 5 needs generations 0..5)")) << late.output;
  auto nothing = fork({"--at", "3", "--name", "nothing"});
  EXPECT_EQ(nothing.exit_code, 2);
  EXPECT_TRUE(test::contains(nothing.output, "loop.generations = 3 leaves nothing to run after generation 3")) << nothing.output;
  auto taken = fork({"--at", "1", "--name", "toy"});
  EXPECT_EQ(taken.exit_code, 2);
  EXPECT_TRUE(test::contains(taken.output, "already exists; pick another --name")) << taken.output;
  test::write_text(parent() / "gen_0001/state.json", "{}");  // damaged after the fact
  auto damaged = fork({"--at", "1", "--name", "damaged"});
  EXPECT_EQ(damaged.exit_code, 2);
  EXPECT_TRUE(test::contains(damaged.output, "fails its integrity check")) << damaged.output;
  for (const char* name : {"wider", "seeded", "late", "nothing", "damaged", "damaged.forking"})
    EXPECT_FALSE(fs::exists(dir_ / "runs" / name)) << name;
}

}  // namespace
}  // namespace retrain
