// Algorithm 1 on the Gaussian: sample counts, mixing modes, Proposition 1's collapse rate, stability
// with real data, correction, and resume/recovery in-process.
#include <gtest/gtest.h>

#include <cmath>
#include <fmt/format.h>

#include "retrain/loop/config.hpp"
#include "retrain/core/safetensors.hpp"
#include "retrain/loop/experiment.hpp"
#include "retrain/loop/generation_manager.hpp"
#include "retrain/loop/sample_shards.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

std::vector<nlohmann::json> read_metrics(const fs::path& run) {
  std::vector<nlohmann::json> out;
  std::istringstream in(test::read_text(run / "metrics.jsonl"));
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

// Runs `yaml` in a fresh run directory under `scratch`; returns the run directory.
fs::path run_yaml(const test::ScratchDir& scratch, const std::string& yaml, const std::string& name = "run") {
  Config c = load_config_text(yaml + "\ndevice: cpu\n", name + ".yaml");
  c.name = name;
  RunDir run = RunDir::create(scratch / name, c, false);
  run_experiment(run);
  return run.path();
}

double alpha(double n) { return std::sqrt(2.0 / (n - 1)) * std::exp(std::lgamma(n / 2) - std::lgamma((n - 1) / 2)); }

TEST(GenerationManager, SyntheticCountIsFloorOfLambdaTimesN) {
  EXPECT_EQ(GenerationManager::synthetic_count(0.5, 51), 25);
  EXPECT_EQ(GenerationManager::synthetic_count(0.001, 999), 0);
  EXPECT_EQ(GenerationManager::synthetic_count(1.5, 10), 15);
  EXPECT_EQ(GenerationManager::synthetic_count(0.0, 10), 0);
}

TEST(GenerationManager, TrainingSetSizesFollowTheLoopModes) {
  test::ScratchDir scratch;
  const std::string base = "data: {n: 10}\nlearner: {replicas: 2}\nloop: {generations: 3, lambda: 0.5";
  auto fixed = read_metrics(run_yaml(scratch, base + ", real: fixed}", "fixed"));
  auto accumulate = read_metrics(run_yaml(scratch, base + ", real: fixed, synthetic: accumulate}", "accumulate"));
  auto none = read_metrics(run_yaml(scratch, base + ", real: none}", "none"));
  ASSERT_EQ(fixed.size(), 4u);
  EXPECT_EQ(fixed[0]["n_train"], 10);
  EXPECT_EQ(fixed[0]["n_synthetic_new"], 0);
  for (int g = 1; g <= 3; ++g) {
    EXPECT_EQ(fixed[g]["n_train"], 15) << g;
    EXPECT_EQ(fixed[g]["n_synthetic_new"], 5) << g;
    EXPECT_EQ(accumulate[g]["n_train"], 10 + 5 * g) << g;
    EXPECT_EQ(none[g]["n_train"], 5) << g;
  }
  // Generation t's synthetic samples are stored with the generation.
  auto synth = read_shards(scratch / "fixed/gen_0002/synthetic");
  EXPECT_EQ(synth.x.sizes(), (std::vector<std::int64_t>{2, 5, 1}));
}

TEST(GenerationManager, ShardSizeDoesNotChangeTheSamples) {
  test::ScratchDir scratch;
  const std::string base = "data: {n: 12}\nlearner: {replicas: 2}\nloop: {generations: 2, lambda: 1.5, shard_size: ";
  auto one = read_metrics(run_yaml(scratch, base + "1000}", "one"));
  auto many = read_metrics(run_yaml(scratch, base + "5}", "many"));
  ASSERT_EQ(one.size(), many.size());
  for (std::size_t g = 0; g < one.size(); ++g) {
    one[g].erase("wall_s");
    many[g].erase("wall_s");
    EXPECT_EQ(one[g], many[g]) << g;
  }
  EXPECT_TRUE(fs::exists(scratch / "many/gen_0001/synthetic/shard_00003.safetensors"));  // 18 samples in 4 shards
  EXPECT_TRUE(torch::equal(read_shards(scratch / "one/gen_0002/synthetic").x, read_shards(scratch / "many/gen_0002/synthetic").x));
}

TEST(GenerationManager, EvaluatesEveryKthGenerationPlusFirstAndLast) {
  test::ScratchDir scratch;
  auto m = read_metrics(run_yaml(scratch, "loop: {generations: 7}\neval: {every: 3}"));
  std::vector<int> gens;
  for (const auto& j : m) gens.push_back(j["generation"].get<int>());
  EXPECT_EQ(gens, (std::vector<int>{0, 3, 6, 7}));
}

TEST(GenerationManager, FullySyntheticStdShrinksAsAlphaToTheT) {
  // Paper 1, Proposition 1: E[sigma_t / sigma_0] = alpha(n)^t for a 1-D Gaussian refit on n own samples.
  test::ScratchDir scratch;
  const int n = 10, generations = 8, replicas = 20000;
  auto m = read_metrics(run_yaml(scratch, fmt::format("seed: 11\ndata: {{n: {}}}\nlearner: {{replicas: {}}}\n"
                                                      "loop: {{generations: {}, lambda: 1, real: none}}",
                                                      n, replicas, generations)));
  for (int t = 1; t <= generations; ++t) {
    const double expected = std::pow(alpha(n), t);
    const double got = m[t]["std_ratio_mean"], se = m[t]["std_ratio_se"];
    EXPECT_NEAR(got, expected, 5 * se + 1e-3) << "generation " << t << " (se " << se << ")";
  }
  EXPECT_LT(m[generations]["std_ratio_mean"].get<double>(), 0.85);
}

TEST(GenerationManager, FixedRealDataKeepsStdFromCollapsing) {
  test::ScratchDir scratch;
  auto m = read_metrics(run_yaml(scratch, "data: {n: 10}\nlearner: {replicas: 4000}\n"
                                          "loop: {generations: 30, lambda: 1, real: fixed}"));
  for (int t : {10, 20, 30}) EXPECT_GT(m[t]["std_ratio_mean"].get<double>(), 0.9) << t;
}

TEST(GenerationManager, OracleCorrectionLowersTheDistanceToTheTruth) {
  // Paper 2, section 5: N(0, I_2), n = 50, lambda = 0.5; larger gamma -> closer to the target.
  test::ScratchDir scratch;
  const std::string base = "data: {n: 50, dim: 2}\nlearner: {replicas: 500}\nloop: {generations: 40, lambda: 0.5, "
                           "real: fixed, correction: {type: oracle_mixture, gamma: ";
  auto weak = read_metrics(run_yaml(scratch, base + "0.0}}", "g0"));
  auto strong = read_metrics(run_yaml(scratch, base + "10.0}}", "g10"));
  EXPECT_LT(strong.back()["w2_mean"].get<double>(), weak.back()["w2_mean"].get<double>());
}

TEST(GenerationManager, ResumeAfterStopReproducesTheUninterruptedMetrics) {
  test::ScratchDir scratch;
  const std::string yaml = "seed: 5\ndata: {n: 20, dim: 2}\nlearner: {replicas: 50}\n"
                           "loop: {generations: 6, lambda: 0.7, real: fresh, synthetic: accumulate, "
                           "correction: {type: oracle_mixture, gamma: 0.5}}";
  const auto full = run_yaml(scratch, yaml, "full");
  // A run stopped after generation 2: delete the later generations as if it had crashed there.
  const auto cut = run_yaml(scratch, yaml, "cut");
  for (int g = 3; g <= 6; ++g) fs::remove_all(cut / fmt::format("gen_{:04d}", g));
  RunDir resumed = RunDir::open(cut);
  run_experiment(resumed);
  EXPECT_EQ(test::metrics_without_timing(cut / "metrics.jsonl"), test::metrics_without_timing(full / "metrics.jsonl"));
  EXPECT_EQ(test::read_text(cut / "gaussian_params.csv"), test::read_text(full / "gaussian_params.csv"));
}

TEST(GenerationManager, TablesRowsLostAfterACommitAreRestoredOnResume) {
  // A crash between committing gen_0004 and appending its rows leaves the tables one generation short.
  test::ScratchDir scratch;
  const std::string yaml = "data: {n: 20, dim: 2}\nlearner: {replicas: 3}\nloop: {generations: 4, lambda: 1}";
  const auto full = run_yaml(scratch, yaml, "full");
  const auto run = run_yaml(scratch, yaml, "run");
  const auto drop_from = [](const fs::path& file, const std::string& marker) {
    const std::string text = test::read_text(file);
    test::write_text(file, text.substr(0, text.find(marker)));
  };
  drop_from(run / "metrics.jsonl", "{\"generation\":4");
  drop_from(run / "gaussian_params.csv", "\n4,1,");  // gen 4's first row made it, the rest did not
  test::write_text(run / "gaussian_params.csv", test::read_text(run / "gaussian_params.csv") + "\n");
  RunDir reopened = RunDir::open(run);
  run_experiment(reopened);
  EXPECT_EQ(test::metrics_without_timing(run / "metrics.jsonl"), test::metrics_without_timing(full / "metrics.jsonl"));
  EXPECT_EQ(test::read_text(run / "gaussian_params.csv"), test::read_text(full / "gaussian_params.csv"));
}

TEST(GenerationManager, CorruptNewestCheckpointIsSetAsideAndRedone) {
  test::ScratchDir scratch;
  const std::string yaml = "data: {n: 20}\nlearner: {replicas: 10}\nloop: {generations: 5, lambda: 1}";
  const auto full = run_yaml(scratch, yaml, "full");
  const auto run = run_yaml(scratch, yaml, "run");
  const auto victim = run / "gen_0005/learner.safetensors";
  fs::resize_file(victim, fs::file_size(victim) / 2);
  fs::create_directories(run / "gen_0006.tmp");  // a crash while writing a later generation
  RunDir reopened = RunDir::open(run);
  run_experiment(reopened);
  EXPECT_TRUE(fs::exists(run / "gen_0005.invalid-1/learner.safetensors"));  // kept, not deleted
  EXPECT_FALSE(fs::exists(run / "gen_0006.tmp"));
  EXPECT_EQ(test::metrics_without_timing(run / "metrics.jsonl"), test::metrics_without_timing(full / "metrics.jsonl"));
}

TEST(GenerationManager, ExtendingAFinishedRunContinuesItsStreams) {
  test::ScratchDir scratch;
  const std::string yaml = "data: {n: 20}\nlearner: {replicas: 10}\nloop: {generations: ";
  const auto longer = run_yaml(scratch, yaml + "6, lambda: 1}", "long");
  const auto shorter = run_yaml(scratch, yaml + "3, lambda: 1}", "short");
  RunDir extended = RunDir::open(shorter, 6);
  run_experiment(extended);
  EXPECT_EQ(test::metrics_without_timing(shorter / "metrics.jsonl"),
            test::metrics_without_timing(longer / "metrics.jsonl"));
}

}  // namespace
}  // namespace retrain
