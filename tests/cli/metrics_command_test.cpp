// `retrain metrics A B`: the printed lines and the JSON file, a missing input exiting 2 with its path, the
// checks of load_feature_input, image inputs (folder, EDM zip, config) through a TorchScript extractor,
// and checkpoints (a run's generation, or one outside a run with --config) sampled seed by seed.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "data/image_test_files.hpp"
#include "retrain/core/manifest.hpp"
#include "retrain/core/npy.hpp"
#include "retrain/features/make_feature_extractor.hpp"
#include "retrain/loop/feature_input.hpp"
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

TEST(MetricsCommand, StatisticsFilesGiveFidOnlyAndSaveStatsWritesThem) {
  test::ScratchDir dir;
  torch::manual_seed(1);
  const auto reference = torch::randn({200, 6}), candidate = 1.5 * torch::randn({150, 6}) + 0.5;
  save_npy(dir / "a.npy", reference);
  save_npy(dir / "b.npy", candidate);
  const auto saved = run_retrain({"metrics", (dir / "a.npy").string(), "--save-stats", (dir / "a.npz").string()});
  ASSERT_EQ(saved.exit_code, 0) << saved.output;
  EXPECT_TRUE(test::contains(saved.output, "(6 features, 200 vectors) written to " + (dir / "a.npz").string()))
      << saved.output;
  EXPECT_FALSE(test::contains(saved.output, "fid:")) << saved.output;
  const auto stats = load_reference_stats(dir / "a.npz");
  EXPECT_TRUE(torch::allclose(stats.cov, feature_stats(reference).cov, 0, 1e-12));

  const auto r = run_retrain({"metrics", (dir / "a.npz").string(), (dir / "b.npy").string(), "--out",
                              (dir / "m.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(test::contains(r.output, "fid: ")) << r.output;
  EXPECT_FALSE(test::contains(r.output, "precision: ")) << r.output;
  EXPECT_TRUE(test::contains(r.output, "holds statistics only")) << r.output;
  const auto json = nlohmann::json::parse(test::read_text(dir / "m.json"));
  EXPECT_NEAR(json.at("fid").get<double>(), fid(feature_stats(reference), feature_stats(candidate)), 1e-9);
  EXPECT_EQ(json.at("n_a"), 200);  // save-stats records the count, which EDM's and pytorch-fid's files lack
  EXPECT_EQ(json.at("n_b"), 150);
  EXPECT_EQ(json.at("dim"), 6);
  EXPECT_FALSE(json.contains("precision"));

  // Without B, --save-stats is needed; statistics are not features; dimensions must match.
  const auto no_b = run_retrain({"metrics", (dir / "a.npy").string()});
  EXPECT_EQ(no_b.exit_code, 2);
  EXPECT_TRUE(test::contains(no_b.output, "B is missing")) << no_b.output;
  EXPECT_THROW(load_feature_input((dir / "a.npz").string()), UsageError);
  save_npy(dir / "wide.npy", torch::randn({10, 4}));
  const auto wide = run_retrain({"metrics", (dir / "a.npz").string(), (dir / "wide.npy").string()});
  EXPECT_EQ(wide.exit_code, 2);
  EXPECT_TRUE(test::contains(wide.output, "has 6 features per row and")) << wide.output;
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
           {"notes.txt", "is not a .npy file, an .npz of statistics, an image folder, an EDM zip, a config (.yaml) or a checkpoint"},
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

TEST(MetricsCommand, APointCheckpointsSamplesAreItsFeatures) {
  test::ScratchDir dir;
  test::write_text(dir / "toy.yaml",
                   "seed: 7\ndevice: cpu\ndata: {source: toy2d, name: 8gaussians, n: 200}\nlearner: {type: diffusion}\n"
                   "model: {width: 16, depth: 2, embedding: positional}\nmethod: {type: edm, steps: 4, sample_batch: 16, "
                   "edm: {sigma_data: 1.0}}\ntrain: {lr: 0.002, batch: 100}\ngen0: {kimg: 0.2}\neval: {num_samples: 50}\n");
  const auto trained = run_retrain({"train", "--config", (dir / "toy.yaml").string(), "--out", (dir / "runs").string(),
                                    "--quiet"});
  ASSERT_EQ(trained.exit_code, 0) << trained.output;
  const auto checkpoint = (dir / "runs/toy/gen_0000").string();
  const auto sampled = run_retrain({"sample", checkpoint, "--seeds", "0-39", "--out-dir", (dir / "samples").string(),
                                    "--quiet"});
  ASSERT_EQ(sampled.exit_code, 0) << sampled.output;
  const auto samples = load_npy(dir / "samples/samples.npy");
  ASSERT_EQ(samples.dim(), 2);
  ASSERT_EQ(samples.size(0), 40);
  EXPECT_TRUE(torch::equal(load_feature_input(checkpoint, nullptr, 40, {.device = "cpu"}), samples.to(torch::kFloat32)));

  torch::manual_seed(0);
  save_npy(dir / "real.npy", torch::randn({60, 2}));
  const auto r = run_retrain({"metrics", (dir / "real.npy").string(), checkpoint, "--max", "40", "--device", "cpu",
                              "--out", (dir / "metrics.json").string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto json = nlohmann::json::parse(test::read_text(dir / "metrics.json"));
  EXPECT_EQ(json.at("n_a"), 60);  // --max counts images and samples: a .npy is used as stored
  EXPECT_EQ(json.at("n_b"), 40);
  EXPECT_EQ(json.at("dim"), 2);
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

// A tiny image run (IDX 8x8 grayscale, ddpmpp with 8 channels, 3 EDM steps) trained once per test process,
// the PNGs `retrain sample --seeds 0-15` writes for its gen_0000 (the folder holds the samples only: the
// grid goes beside it) and the extractor means.pt.
class MetricsOfCheckpoints : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    namespace fs = std::filesystem;
    dir_ = new test::ScratchDir;
    test::write_text(*dir_ / "make_extractor.py", kExtractorScript);
    const auto command = fmt::format("'{}' '{}' '{}'", test::kPython, (*dir_ / "make_extractor.py").string(),
                                     extractor().string());
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    std::vector<torch::Tensor> images;
    for (std::int64_t i = 0; i < 16; ++i) images.push_back(test::pattern(1, 8, 8, 17 * i)[0]);
    test::write_text(*dir_ / "images-idx3-ubyte", test::idx_images(torch::stack(images).contiguous()));
    test::write_text(*dir_ / "tiny.yaml",
                     fmt::format("seed: 1\ndevice: cpu\n"
                                 "data: {{source: image, format: idx, path: '{}', n: 0}}\nlearner: {{type: diffusion}}\n"
                                 "model: {{arch: ddpmpp, channels: 8, channel_mult: [1], num_blocks: 1, "
                                 "attn_resolutions: [], dropout: 0}}\n"
                                 "method: {{type: edm, steps: 3, sample_batch: 5}}\ntrain: {{lr: 0.001, batch: 8}}\n"
                                 "gen0: {{kimg: 0.016}}\neval: {{num_samples: 4, grid: 4}}\n",
                                 (*dir_ / "images-idx3-ubyte").string()));
    const auto trained = test::run_retrain({"train", "--config", input("tiny.yaml"), "--out", input("runs"), "--quiet"});
    ASSERT_EQ(trained.exit_code, 0) << trained.output;
    const auto sampled = test::run_retrain({"sample", checkpoint(), "--seeds", "0-15", "--out-dir", input("samples"),
                                            "--quiet"});
    ASSERT_EQ(sampled.exit_code, 0) << sampled.output;
    EXPECT_TRUE(fs::exists(*dir_ / "samples-grid.png"));
    EXPECT_FALSE(fs::exists(*dir_ / "samples/grid.png"));
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::filesystem::path extractor() { return *dir_ / "means.pt"; }
  static std::string input(const std::string& name) { return (*dir_ / name).string(); }
  static std::string checkpoint() { return input("runs/tiny/gen_0000"); }
  // `retrain metrics A B --extractor means.pt --device cpu ...`: its exit code, output and (on success) JSON.
  static std::pair<test::ProcessResult, nlohmann::json> metrics_of(const std::string& a, const std::string& b,
                                                                   const std::vector<std::string>& extra = {}) {
    const auto out = input("metrics.json");
    std::filesystem::remove(out);
    std::vector<std::string> args{"metrics", a, b, "--extractor", extractor().string(), "--device", "cpu", "--out", out};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = test::run_retrain(args);
    nlohmann::json json;
    if (r.exit_code == 0) json = nlohmann::json::parse(test::read_text(out));
    return {std::move(r), std::move(json)};
  }

  static test::ScratchDir* dir_;
};
test::ScratchDir* MetricsOfCheckpoints::dir_ = nullptr;

TEST_F(MetricsOfCheckpoints, ARunsGenerationIsSampledIntoEveryMetric) {
  const auto [r, json] = metrics_of(input("tiny.yaml"), checkpoint(), {"--max", "16"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  for (const char* key : {"fid", "precision", "recall", "density", "coverage"}) {
    ASSERT_TRUE(json.contains(key) && json[key].is_number()) << json.dump();
    EXPECT_TRUE(std::isfinite(json[key].get<double>())) << json.dump();
  }
  EXPECT_EQ(json.at("n_a"), 16);
  EXPECT_EQ(json.at("n_b"), 16);
  EXPECT_EQ(json.at("dim"), 6);  // the extractor sees grayscale as RGB: three means and three mean squares
  EXPECT_NE(r.output.find("sampling " + checkpoint()), std::string::npos) << r.output;  // the progress line
}

TEST_F(MetricsOfCheckpoints, ACheckpointEqualsTheFolderOfItsSampledSeeds) {
  const auto extractor = make_feature_extractor(MetricsOfCheckpoints::extractor().string(), torch::kCPU);
  const auto folder = load_feature_input(input("samples"), extractor.get());
  ASSERT_EQ(folder.size(0), 16);
  // Seeds 0-5 in this process (a few: it samples with every thread), in batches of 5 as in `retrain sample`.
  EXPECT_TRUE(torch::equal(load_feature_input(checkpoint(), extractor.get(), 6, {.device = "cpu"}),
                           folder.slice(0, 0, 6)));

  const auto [from_checkpoint, a] = metrics_of(input("tiny.yaml"), checkpoint(), {"--max", "16"});
  const auto [from_folder, b] = metrics_of(input("tiny.yaml"), input("samples"), {"--max", "16"});
  ASSERT_EQ(from_checkpoint.exit_code, 0) << from_checkpoint.output;
  ASSERT_EQ(from_folder.exit_code, 0) << from_folder.output;
  for (const char* key : {"fid", "precision", "recall", "density", "coverage"})
    EXPECT_NEAR(a.at(key).get<double>(), b.at(key).get<double>(), 1e-9) << key;
  EXPECT_EQ(a.at("n_b"), b.at("n_b"));
}

TEST_F(MetricsOfCheckpoints, ACheckpointOutsideARunNeedsConfig) {
  namespace fs = std::filesystem;
  const auto converted = *dir_ / "converted";
  fs::create_directories(converted);
  for (const char* f : {"ema.safetensors", "network.json"})
    fs::copy_file(fs::path(checkpoint()) / f, converted / f, fs::copy_options::overwrite_existing);
  write_manifest(converted);
  const auto refused = metrics_of(input("samples"), converted.string(), {"--max", "4"}).first;
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("'" + converted.string() + "' is not inside a run directory and holds no config.yaml; "
                                "pass --config"),
            std::string::npos)
      << refused.output;

  const auto [outside, a] = metrics_of(input("samples"), converted.string(), {"--max", "4", "--config",
                                                                              input("tiny.yaml")});
  const auto [inside, b] = metrics_of(input("samples"), checkpoint(), {"--max", "4"});
  ASSERT_EQ(outside.exit_code, 0) << outside.output;
  ASSERT_EQ(inside.exit_code, 0) << inside.output;
  EXPECT_EQ(a.at("fid"), b.at("fid"));
  EXPECT_EQ(a.at("n_b"), 4);

  // A checkpoint that carries its config.yaml (as scripts/convert_checkpoint.py writes it) needs no --config.
  fs::copy_file(fs::path(input("runs/tiny")) / "config.yaml", converted / "config.yaml",
                fs::copy_options::overwrite_existing);
  write_manifest(converted);
  const auto [own, c] = metrics_of(input("samples"), converted.string(), {"--max", "4"});
  ASSERT_EQ(own.exit_code, 0) << own.output;
  EXPECT_EQ(c.at("fid"), b.at("fid"));
}

TEST_F(MetricsOfCheckpoints, EvalReferenceStatsReplaceTheRealSetsStatisticsInFid) {
  namespace fs = std::filesystem;
  // The statistics of the run's real set (data.n 0: all of it), saved, give the run's FID unchanged.
  const auto real = input("real.npz");
  const auto saved = test::run_retrain({"metrics", input("tiny.yaml"), "--extractor", extractor().string(), "--device",
                                        "cpu", "--save-stats", real});
  ASSERT_EQ(saved.exit_code, 0) << saved.output;
  const auto eval = [&](const std::string& name, const std::vector<std::string>& extra) {
    std::vector<std::string> args{"eval", input("runs/tiny"), "--name", name, "--overwrite", "--quiet", "--set",
                                  "eval.extractor=" + extractor().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_retrain(args);
  };
  const auto row = [&](const std::string& name) {
    return nlohmann::json::parse(test::metrics_without_timing(fs::path(input("runs/tiny")) / "eval" / name /
                                                              "metrics.jsonl").at(0));
  };
  ASSERT_EQ(eval("plain", {}).exit_code, 0);
  const auto with = eval("stats", {"--set", "eval.reference_stats=" + real});
  ASSERT_EQ(with.exit_code, 0) << with.output;
  EXPECT_NEAR(row("stats").at("fid").get<double>(), row("plain").at("fid").get<double>(), 1e-6);
  EXPECT_EQ(row("stats").at("precision"), row("plain").at("precision"));

  // Statistics of another network (other D) are refused naming the file; without an extractor too.
  save_reference_stats(*dir_ / "wide.npz", {torch::zeros({3}, torch::kFloat64), torch::eye(3, torch::kFloat64), 10});
  const auto wide = eval("wide", {"--set", "eval.reference_stats=" + input("wide.npz")});
  EXPECT_NE(wide.exit_code, 0);
  EXPECT_TRUE(test::contains(wide.output, "holds statistics of 3 features, but eval.extractor gives 6")) << wide.output;
  const auto bare = test::run_retrain({"eval", input("runs/tiny"), "--name", "bare", "--set",
                                       "eval.reference_stats=" + real});
  EXPECT_EQ(bare.exit_code, 2);
  EXPECT_TRUE(test::contains(bare.output, "needs eval.extractor")) << bare.output;
}

TEST_F(MetricsOfCheckpoints, SavedStatisticsOfAFolderScoreACheckpointAsTheFolderDoes) {
  const auto stats = input("samples.npz");
  const auto saved = test::run_retrain({"metrics", input("samples"), "--extractor", extractor().string(), "--device",
                                        "cpu", "--save-stats", stats});
  ASSERT_EQ(saved.exit_code, 0) << saved.output;
  const auto [from_stats, a] = metrics_of(stats, checkpoint(), {"--max", "16"});
  const auto [from_folder, b] = metrics_of(input("samples"), checkpoint(), {"--max", "16"});
  ASSERT_EQ(from_stats.exit_code, 0) << from_stats.output;
  ASSERT_EQ(from_folder.exit_code, 0) << from_folder.output;
  EXPECT_NEAR(a.at("fid").get<double>(), b.at("fid").get<double>(), 1e-9);
  EXPECT_NEAR(a.at("fid").get<double>(), 0.0, 1e-4);  // the same images: 0 up to round-off (rank-deficient features)
}

TEST_F(MetricsOfCheckpoints, ACheckpointWithoutNetworkJsonOrExtractorExitsTwoNamingWhatIsMissing) {
  namespace fs = std::filesystem;
  const auto bare = *dir_ / "bare";
  fs::create_directories(bare);
  fs::copy_file(fs::path(checkpoint()) / "ema.safetensors", bare / "ema.safetensors",
                fs::copy_options::overwrite_existing);
  const auto r = metrics_of(input("samples"), bare.string()).first;
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("'" + bare.string() + "' is not a retrain checkpoint: network.json is missing"),
            std::string::npos)
      << r.output;

  save_npy(*dir_ / "features.npy", torch::randn({4, 2}));
  const auto no_extractor = test::run_retrain({"metrics", input("features.npy"), checkpoint(), "--max", "4"});
  EXPECT_EQ(no_extractor.exit_code, 2) << no_extractor.output;
  EXPECT_NE(no_extractor.output.find("'" + checkpoint() + "' is a checkpoint of an image model; its samples need "
                                     "--extractor SPEC"),
            std::string::npos)
      << no_extractor.output;
}

}  // namespace
}  // namespace retrain
