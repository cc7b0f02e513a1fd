// Images end to end through the executable: `retrain train` on a tiny IDX data set writes a complete
// checkpoint with finite metrics, and `retrain sample` writes one PNG per seed that depends on its seed
// only (not on which other seeds are drawn with it, nor on the batch size).
#include <gtest/gtest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>

#include "data/image_test_files.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;
using test::run_retrain;

// 16 distinct 8x8 images as an IDX images file.
void write_idx_images(const fs::path& file) {
  std::vector<torch::Tensor> images;
  for (std::int64_t i = 0; i < 16; ++i) images.push_back(test::pattern(1, 8, 8, 17 * i)[0]);
  const auto nhw = torch::stack(images).contiguous();
  test::write_text(file, test::idx_images(nhw));
}

// The cheapest image evaluation: no eval.extractor, so no FID / precision / recall (those need a
// trained classifier or an Inception file, minutes of work); the evaluation still samples
// eval.num_samples images, writes grid.png and reports the training loss, images seen and
// non-finite steps.
std::string tiny_config(const fs::path& idx) {
  return fmt::format(
      "seed: 1\ndevice: cpu\n"
      "data: {{source: image, format: idx, path: '{}', n: 0}}\nlearner: {{type: diffusion}}\n"
      "model: {{arch: ddpmpp, channels: 8, channel_mult: [1], num_blocks: 1, attn_resolutions: [], dropout: 0}}\n"
      "method: {{type: edm, steps: 3}}\ntrain: {{lr: 0.001, batch: 8}}\ngen0: {{kimg: 0.016}}\n"
      "eval: {{num_samples: 4, grid: 4}}\n",
      idx.string());
}

TEST(ImageCli, TrainWritesACheckpointAndSampleReproducesEachSeed) {
  test::ScratchDir dir;
  write_idx_images(dir / "images-idx3-ubyte");
  test::write_text(dir / "tiny.yaml", tiny_config(dir / "images-idx3-ubyte"));
  auto trained = run_retrain({"train", "--config", (dir / "tiny.yaml").string(), "--out", (dir / "runs").string(), "--quiet"});
  ASSERT_EQ(trained.exit_code, 0) << trained.output;

  const auto run = dir / "runs/tiny";
  const auto gen0 = run / "gen_0000";
  for (const char* f : {"model.safetensors", "ema.safetensors", "optimizer.safetensors", "trainer.json", "network.json",
                        "metrics.json", "grid.png"})
    EXPECT_TRUE(fs::exists(gen0 / f)) << f;
  EXPECT_FALSE(fs::exists(run / "gen_0001"));  // train = generation 0 only
  const auto network = nlohmann::json::parse(test::read_text(gen0 / "network.json"));
  EXPECT_EQ(network["arch"], "ddpmpp");
  EXPECT_EQ(network["sample_shape"], nlohmann::json({1, 8, 8}));
  const auto metrics = nlohmann::json::parse(test::read_text(gen0 / "metrics.json"));
  for (const char* key : {"loss", "images_seen", "nonfinite_steps", "n_train"}) {
    ASSERT_TRUE(metrics.contains(key) && metrics[key].is_number()) << key << " in " << metrics;
    EXPECT_TRUE(std::isfinite(metrics[key].get<double>())) << key << " in " << metrics;
  }
  EXPECT_GT(metrics["loss"].get<double>(), 0.0);
  EXPECT_EQ(metrics["images_seen"], 16);
  EXPECT_EQ(metrics["n_train"], 16);
  EXPECT_EQ(metrics["nonfinite_steps"], 0);
  const auto rows = test::metrics_without_timing(run / "metrics.jsonl");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(rows[0])["loss"], metrics["loss"]);

  const auto sample = [&](const std::string& seeds, const fs::path& out, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"sample", gen0.string(), "--seeds", seeds, "--out-dir", out.string(), "--quiet"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_retrain(args);
    EXPECT_EQ(r.exit_code, 0) << r.output;
  };
  sample("0-3", dir / "all");
  for (const char* f : {"000000.png", "000001.png", "000002.png", "000003.png"})
    EXPECT_TRUE(fs::exists(dir / "all" / f)) << f;
  EXPECT_FALSE(fs::exists(dir / "all/000004.png"));
  // The grid goes beside the folder, which holds the per-seed PNGs only (an image set for `metrics`).
  EXPECT_TRUE(fs::exists(dir / "all-grid.png"));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "all"), fs::directory_iterator()), 4);
  EXPECT_NE(test::read_text(dir / "all/000000.png"), test::read_text(dir / "all/000001.png"));  // seeds matter

  sample("2-3", dir / "part");
  sample("3,2", dir / "single", {"--batch", "1"});
  for (const char* f : {"000002.png", "000003.png"}) {
    EXPECT_EQ(test::read_text(dir / "part" / f), test::read_text(dir / "all" / f)) << f;
    EXPECT_EQ(test::read_text(dir / "single" / f), test::read_text(dir / "all" / f)) << f << " (batch 1)";
  }
  EXPECT_FALSE(fs::exists(dir / "part/000000.png"));
}

}  // namespace
}  // namespace retrain
