// `retrain metrics A B`: the printed lines and the JSON file, a missing input exiting 2 with its path, and
// the checks of load_feature_input.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "retrain/core/npy.hpp"
#include "retrain/metrics/feature_input.hpp"
#include "retrain/metrics/fid.hpp"
#include "retrain/metrics/prdc.hpp"
#include "retrain/core/errors.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

using test::run_retrain;

TEST(MetricsCommand, PrintsEveryMetricAndWritesTheJson) {
  test::ScratchDir dir;
  torch::manual_seed(0);
  const auto reference = torch::randn({200, 6}), candidate = 1.5 * torch::randn({150, 6}, torch::kFloat64) + 0.5;
  save_npy(dir / "a.npy", reference);
  save_npy(dir / "b.npy", candidate);
  const auto r = run_retrain({"metrics", (dir / "a.npy").string(), (dir / "b.npy").string(), "--k", "4", "--out",
                              (dir / "metrics.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* line : {"fid: ", "precision: ", "recall: ", "density: ", "coverage: "})
    EXPECT_NE(r.output.find(line), std::string::npos) << r.output;

  const auto json = nlohmann::json::parse(test::read_text(dir / "metrics.json"));
  EXPECT_EQ(json.size(), 9u) << json.dump();
  EXPECT_EQ(json.at("n_a"), 200);
  EXPECT_EQ(json.at("n_b"), 150);
  EXPECT_EQ(json.at("dim"), 6);
  EXPECT_EQ(json.at("k"), 4);
  EXPECT_NEAR(json.at("fid").get<double>(), fid(feature_stats(reference), feature_stats(candidate)), 1e-9);
  // A is the real set: precision and recall swap when the inputs do, and the spread-out B makes them differ.
  const auto prdc = precision_recall_density_coverage(reference, candidate, {.k = 4});
  EXPECT_NE(prdc.precision, prdc.recall);
  EXPECT_EQ(json.at("precision").get<double>(), prdc.precision);
  EXPECT_EQ(json.at("recall").get<double>(), prdc.recall);
  EXPECT_EQ(json.at("density").get<double>(), prdc.density);
  EXPECT_EQ(json.at("coverage").get<double>(), prdc.coverage);
}

TEST(MetricsCommand, MissingFileExitsTwoNamingThePath) {
  test::ScratchDir dir;
  save_npy(dir / "a.npy", torch::randn({10, 3}));
  const auto missing = (dir / "missing.npy").string();
  const auto r = run_retrain({"metrics", (dir / "a.npy").string(), missing});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("feature file '" + missing + "' does not exist"), std::string::npos) << r.output;
}

TEST(MetricsCommand, FeatureInputMustBeAFloatMatrixInANpyFile) {
  test::ScratchDir dir;
  test::write_text(dir / "broken.npy", "not numpy");
  save_npy(dir / "vector.npy", torch::zeros({5}));
  save_npy(dir / "integers.npy", torch::zeros({5, 2}, torch::kInt64));
  save_npy(dir / "float64.npy", torch::ones({5, 2}, torch::kFloat64));
  for (const auto& [name, reason] : std::vector<std::pair<std::string, std::string>>{
           {"broken.npy", "is not a readable .npy file: bad magic"},
           {"vector.npy", "holds shape [5]; expected a non-empty [N, D] matrix"},
           {"integers.npy", "holds Long values; expected float32 or float64 features"},
           {"", "need a feature extractor"}}) {
    const auto input = (dir / name).string();
    const auto message = test::message_of<UsageError>([&] { load_feature_input(input); });
    EXPECT_NE(message.find("'" + input + "'"), std::string::npos) << message;
    EXPECT_NE(message.find(reason), std::string::npos) << message;
  }
  const auto features = load_feature_input((dir / "float64.npy").string());
  EXPECT_EQ(features.scalar_type(), torch::kFloat64);
  EXPECT_TRUE(torch::equal(features, torch::ones({5, 2}, torch::kFloat64)));
}

}  // namespace
}  // namespace retrain
