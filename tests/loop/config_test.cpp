// Config loading: every bad input names the key, where it was, the value and what is allowed.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "retrain/loop/config.hpp"
#include "retrain/core/errors.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

std::string error_of(const std::string& yaml, const std::vector<Override>& overrides = {}) {
  try {
    load_config_text(yaml, "exp.yaml", overrides);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(Config, EmptyFileGivesDefaults) {
  const Config c = load_config_text("", "exp.yaml");
  EXPECT_EQ(c.loop.generations, 10);
  EXPECT_DOUBLE_EQ(c.loop.lambda, 1.0);
  EXPECT_EQ(c.loop.real, RealMode::fixed);
  EXPECT_EQ(c.device, DeviceChoice::automatic);
}

TEST(Config, ReadsNestedKeys) {
  const Config c = load_config_text(
      "seed: 7\ndata: {n: 50, dim: 2, mean: [1, 2], cov: [[2, 0.5], [0.5, 1]]}\nloop:\n  lambda: 0.5\n  real: none\n"
      "  correction: {type: oracle_mixture, gamma: 2}\n",
      "exp.yaml");
  EXPECT_EQ(c.seed, 7u);
  EXPECT_EQ(c.data.n, 50);
  EXPECT_EQ(c.data.mean, (std::vector<double>{1, 2}));
  EXPECT_DOUBLE_EQ(c.data.cov[0][1], 0.5);
  EXPECT_EQ(c.loop.real, RealMode::none);
  EXPECT_DOUBLE_EQ(c.loop.correction.gamma, 2.0);
}

TEST(Config, MalformedYamlNamesFileLineAndColumn) {
  const auto msg = error_of("loop:\n  lambda: [1, 2\n");
  EXPECT_NE(msg.find("exp.yaml:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("malformed YAML"), std::string::npos) << msg;
}

TEST(Config, UnknownKeyIsRejectedWithPositionAndSuggestion) {
  const auto msg = error_of("loop:\n  lamda: 0.5\n");
  EXPECT_NE(msg.find("exp.yaml:2:3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown key 'loop.lamda'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'loop.lambda'"), std::string::npos) << msg;
}

TEST(Config, UnknownTopLevelKeyWithoutCloseMatchPointsToTheReference) {
  const auto msg = error_of("completely_unrelated_thing: 1\n");
  EXPECT_NE(msg.find("unknown key 'completely_unrelated_thing'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("docs/config.md"), std::string::npos) << msg;
}

TEST(Config, WrongTypeNamesKeyValueAndExpectation) {
  const auto msg = error_of("loop:\n  generations: many\n");
  EXPECT_NE(msg.find("exp.yaml:2:16"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'loop.generations' expects an integer >= 0, got 'many'"), std::string::npos) << msg;
  EXPECT_NE(error_of("data: {n: 2.5}").find("'data.n' expects an integer"), std::string::npos);
  EXPECT_NE(error_of("loop: 3").find("'loop' must be a mapping"), std::string::npos);
}

TEST(Config, NegativeLambdaIsRejected) {
  const auto msg = error_of("loop: {lambda: -0.1}");
  EXPECT_NE(msg.find("'loop.lambda' expects a number >= 0, got '-0.1'"), std::string::npos) << msg;
}

TEST(Config, NegativeGenerationsAreRejectedAndZeroMeansPlainTraining) {
  EXPECT_NE(error_of("loop: {generations: -1}").find("'loop.generations' expects an integer >= 0, got '-1'"),
            std::string::npos);
  EXPECT_EQ(load_config_text("loop: {generations: 0}", "exp.yaml").loop.generations, 0);
}

TEST(Config, ImageRunsNeedAnImageNetworkAndAPath) {
  EXPECT_NE(error_of("data: {source: image}\nlearner: {type: diffusion}\nmodel: {arch: ddpmpp}").find("data.path"),
            std::string::npos);
  EXPECT_NE(error_of("data: {source: image, path: x}\nlearner: {type: diffusion}").find("image network"),
            std::string::npos);
  EXPECT_NE(error_of("train: {batch: 10, accumulate: 3}").find("not divisible"), std::string::npos);
  EXPECT_NE(error_of("loop: {correction: {type: kmeans}}").find("corrects images"), std::string::npos);
}

TEST(Config, ChoicesListWhatIsAllowed) {
  const auto msg = error_of("loop: {real: sometimes}");
  EXPECT_NE(msg.find("one of fixed, none, fresh"), std::string::npos) << msg;
}

TEST(Config, CrossKeyRules) {
  EXPECT_NE(error_of("data: {dim: 2, mean: [1]}").find("data.mean has 1 entries but data.dim is 2"), std::string::npos);
  EXPECT_NE(error_of("data: {dim: 2, cov: [[1, 2], [2, 1]]}").find("positive definite"), std::string::npos);
  EXPECT_NE(error_of("data: {dim: 2, cov: [[1, 0.1], [0, 1]]}").find("not symmetric"), std::string::npos);
  EXPECT_NE(error_of("data: {n: 10}\nloop: {real: none, lambda: 0.1}").find("at least 2"), std::string::npos);
  EXPECT_NE(error_of("loop: {correction: {gamma: 1}}").find("no effect"), std::string::npos);
  EXPECT_NE(error_of("gen0: {checkpoint: runs/x/gen_0003}").find(
                "gen0.checkpoint = 'runs/x/gen_0003' needs learner.type: diffusion (the gaussian learner"),
            std::string::npos);
}

TEST(Config, OverridesAreTypedLikeYamlAndValidated) {
  const Config c = load_config_text("loop: {lambda: 1}", "exp.yaml",
                                    {parse_override("loop.lambda=0.25"), parse_override("data.mean=[3]")});
  EXPECT_DOUBLE_EQ(c.loop.lambda, 0.25);
  EXPECT_EQ(c.data.mean, std::vector<double>{3});
  const auto bad = error_of("", {parse_override("loop.lambda=abc")});
  EXPECT_NE(bad.find("--set loop.lambda=abc: key 'loop.lambda' expects a number"), std::string::npos) << bad;
  const auto unknown = error_of("", {parse_override("loop.lamda=1")});
  EXPECT_NE(unknown.find("did you mean 'loop.lambda'"), std::string::npos) << unknown;
  EXPECT_THROW(parse_override("no-equals-sign"), UsageError);
}

TEST(Config, LiteralOverridesKeepStringsAsGiven) {
  const Config c = load_config_text("", "exp.yaml", {{"out", "dir: with colon", true}});
  EXPECT_EQ(c.out, "dir: with colon");
}

TEST(Config, ResolvedYamlRoundTripsWithTheSameHash) {
  const Config c = load_config_text("seed: 3\ndata: {dim: 2, cov: [[2, 0], [0, 1]]}\nloop: {lambda: 0.5}", "exp.yaml");
  const Config again = load_config_text(to_yaml(c), "resolved.yaml");
  EXPECT_EQ(to_yaml(again), to_yaml(c));
  EXPECT_EQ(config_hash(again), config_hash(c));
  EXPECT_NE(config_hash(load_config_text("seed: 4", "x")), config_hash(load_config_text("seed: 3", "x")));
}

TEST(Config, DifferencesNameEachChangedKeyWithBothValues) {
  const Config a = load_config_text("seed: 3\nloop: {lambda: 0.5}\ndata: {dim: 2}", "a.yaml");
  EXPECT_TRUE(config_differences(a, load_config_text(to_yaml(a), "resolved.yaml")).empty());
  const Config b = load_config_text("seed: 4\nloop: {lambda: 0.5}\ndata: {dim: 3}", "b.yaml");
  EXPECT_EQ(config_differences(a, b), (std::vector<std::string>{"seed: '3' -> '4'", "data.dim: '2' -> '3'"}));
  // Floats read as their shortest exact form, not the 17 digits a double is written with.
  const Config c = load_config_text("seed: 3\nloop: {lambda: 0.5}\ndata: {dim: 2}\ngen0: {kimg: 0.032}", "c.yaml");
  EXPECT_EQ(config_differences(a, c), (std::vector<std::string>{fmt::format("gen0.kimg: '{}' -> '0.032'", a.gen0.kimg)}));
}

TEST(Config, FileNameGivesTheDefaultRunName) {
  test::ScratchDir dir;
  test::write_text(dir / "my_experiment.yaml", "seed: 1\n");
  EXPECT_EQ(load_config_file(dir / "my_experiment.yaml").name, "my_experiment");
  EXPECT_THROW(load_config_file(dir / "missing.yaml"), UsageError);
}

TEST(Config, DocsListEveryKeyWithItsDefault) {
  const std::string docs = test::read_text(std::filesystem::path(test::kSourceDir) / "docs/config.md");
  std::istringstream rows(config_reference_markdown());
  for (std::string row; std::getline(rows, row);)
    EXPECT_NE(docs.find(row), std::string::npos) << "docs/config.md lacks (regenerate with `retrain info --keys`):\n" << row;
}

TEST(Config, ShippedConfigsLoad) {
  for (const char* name : {"configs/demo.yaml", "configs/gaussian_collapse.yaml", "configs/gaussian_correction.yaml"})
    EXPECT_NO_THROW(load_config_file(std::filesystem::path(test::kSourceDir) / name)) << name;
}

}  // namespace
}  // namespace retrain
