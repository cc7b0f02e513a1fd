// `retrain metrics A B`: the printed lines and the JSON file, a missing input exiting 2 with its path, the
// checks of load_feature_input, and image inputs (folder, EDM zip, config) through a TorchScript extractor.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>

#include "data/image_test_files.hpp"
#include "retrain/core/npy.hpp"
#include "retrain/features/make_feature_extractor.hpp"
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
  test::write_text(dir / "notes.txt", "not images");
  for (const auto& [name, reason] : std::vector<std::pair<std::string, std::string>>{
           {"broken.npy", "is not a readable .npy file: bad magic"},
           {"vector.npy", "holds shape [5]; expected a non-empty [N, D] matrix"},
           {"integers.npy", "holds Long values; expected float32 or float64 features"},
           {"", "image inputs need --extractor SPEC"},
           {"notes.txt", "is not a .npy file, an image folder, an EDM zip or a config"},
           {"gone", "does not exist; expected a .npy file"}}) {
    const auto input = (dir / name).string();
    const auto message = test::message_of<UsageError>([&] { load_feature_input(input); });
    EXPECT_NE(message.find("'" + input + "'"), std::string::npos) << message;
    EXPECT_NE(message.find(reason), std::string::npos) << message;
  }
  const auto features = load_feature_input((dir / "float64.npy").string());
  EXPECT_EQ(features.scalar_type(), torch::kFloat64);
  EXPECT_TRUE(torch::equal(features, torch::ones({5, 2}, torch::kFloat64)));
}

// means.pt: per image, the per-channel means and mean squares / 255 of the pixels (6 features).
constexpr const char* kExtractorScript = R"(
import sys
import torch

class Means(torch.nn.Module):
    def forward(self, img: torch.Tensor) -> torch.Tensor:
        x = img.float()
        return torch.cat([x.mean(dim=[2, 3]), (x * x).mean(dim=[2, 3]) / 255], dim=1)

torch.jit.script(Means()).save(sys.argv[1])
)";

// Image sets written once per test process: folders a/ (16 images) and b/ (16 others), a.zip (the images of
// a/ as an EDM archive), a config reading 8 of a/, and the extractor means.pt.
class MetricsOfImages : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::ScratchDir;
    test::write_text(*dir_ / "make_extractor.py", kExtractorScript);
    const auto command = fmt::format("'{}' '{}' '{}'", test::kPython, (*dir_ / "make_extractor.py").string(),
                                     extractor().string());
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    std::vector<std::pair<std::string, std::string>> zip_entries;
    std::filesystem::create_directories(*dir_ / "a");
    std::filesystem::create_directories(*dir_ / "b");
    for (int i = 0; i < 16; ++i) {
      const auto name = fmt::format("img{:05d}.png", i);
      const auto a = test::png_bytes(test::pattern(3, 8, 8, 17 * i));
      const auto b = test::png_bytes(test::pattern(3, 8, 8, 5 + 11 * i));
      test::write_text(*dir_ / "a" / name, a);
      test::write_text(*dir_ / "b" / name, b);
      zip_entries.emplace_back(name, a);
    }
    test::write_zip(*dir_ / "a.zip", zip_entries);
    test::write_text(*dir_ / "config.yaml",
                     fmt::format("seed: 3\ndata: {{source: image, format: folder, path: '{}', n: 8}}\n"
                                 "learner: {{type: diffusion}}\nmodel: {{arch: ddpmpp}}\n",
                                 (*dir_ / "a").string()));
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::filesystem::path extractor() { return *dir_ / "means.pt"; }
  static std::string input(const std::string& name) { return (*dir_ / name).string(); }
  // `retrain metrics A B --extractor means.pt ...`, which must succeed; its JSON.
  static nlohmann::json metrics_of(const std::string& a, const std::string& b,
                                   const std::vector<std::string>& extra = {}) {
    const auto out = (*dir_ / "metrics.json").string();
    std::filesystem::remove(out);  // a failed run must not leave the previous run's JSON to read
    std::vector<std::string> args{"metrics", input(a), input(b), "--extractor", extractor().string(), "--device", "cpu",
                                  "--out", out};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = test::run_retrain(args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return nlohmann::json::parse(test::read_text(out));
  }

  static test::ScratchDir* dir_;
};
test::ScratchDir* MetricsOfImages::dir_ = nullptr;

TEST_F(MetricsOfImages, TwoImageFoldersGiveEveryMetric) {
  const auto json = metrics_of("a", "b");
  for (const char* key : {"fid", "precision", "recall", "density", "coverage"})
    ASSERT_TRUE(json.contains(key)) << json.dump();
  EXPECT_EQ(json.at("n_a"), 16);
  EXPECT_EQ(json.at("n_b"), 16);
  EXPECT_EQ(json.at("dim"), 6);
  EXPECT_GT(json.at("fid").get<double>(), 1.0);
}

TEST_F(MetricsOfImages, AFolderAgainstItselfOrItsZipMatchesExactly) {
  for (const char* b : {"a", "a.zip"}) {
    const auto json = metrics_of("a", b);
    EXPECT_NEAR(json.at("fid").get<double>(), 0.0, 1e-3) << b;
    EXPECT_EQ(json.at("precision").get<double>(), 1.0) << b;
    EXPECT_EQ(json.at("recall").get<double>(), 1.0) << b;
  }
}

TEST_F(MetricsOfImages, MaxKeepsTheFirstImagesAndAConfigItsSeededRealSet) {
  const auto extractor = make_feature_extractor(MetricsOfImages::extractor().string(), torch::kCPU);
  const auto all = load_feature_input(input("a"), extractor.get());
  ASSERT_EQ(all.size(0), 16);
  EXPECT_TRUE(torch::equal(load_feature_input(input("a"), extractor.get(), 5), all.slice(0, 0, 5)));
  EXPECT_EQ(metrics_of("a", "b", {"--max", "5"}).at("n_a"), 5);

  // data.n = 8 of the 16: distinct images of the folder, the same ones on every read.
  const auto drawn = load_feature_input(input("config.yaml"), extractor.get());
  ASSERT_EQ(drawn.size(0), 8);
  EXPECT_TRUE(torch::equal(drawn, load_feature_input(input("config.yaml"), extractor.get())));
  const auto matches = (drawn.unsqueeze(1) == all.unsqueeze(0)).all(2);  // [8, 16]
  EXPECT_TRUE(torch::equal(matches.sum(1), torch::ones({8}, torch::kLong)));
  EXPECT_TRUE(torch::equal(matches.sum(0).le(1), torch::ones({16}, torch::kBool)));
}

TEST_F(MetricsOfImages, AnImageInputWithoutExtractorExitsTwoNamingTheFlag) {
  const auto r = test::run_retrain({"metrics", input("a"), input("b")});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("'" + input("a") + "' is an image input (folder); image inputs need --extractor SPEC"),
            std::string::npos)
      << r.output;
}

}  // namespace
}  // namespace retrain
