// The fixed-seed views of an image run: every generation's grid.png shows seeds 0..eval.grid-1 (what
// `retrain sample --seeds` draws from that generation), seed_samples.png holds the first 8 of them,
// RUN/plots/seed_strip.png lays those tiles out one column per generation, and neighbours.json names
// the nearest real training images (checked by brute force over the drawn training subset).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "data/image_test_files.hpp"
#include "retrain/loop/config.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/data/image_decode.hpp"
#include "retrain/data/image_source.hpp"
#include "retrain/plots/seed_strip.hpp"
#include "retrain/plots/text.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;
using test::run_retrain;

// 16 distinct 8x8 images, 12 of them drawn for training; 2 generations; 8 views.
std::string views_config(const fs::path& idx) {
  return fmt::format(
      "seed: 6\ndevice: cpu\n"
      "data: {{source: image, format: idx, path: '{}', n: 12}}\nlearner: {{type: diffusion}}\n"
      "model: {{arch: ddpmpp, channels: 8, channel_mult: [1], num_blocks: 1, attn_resolutions: [], dropout: 0}}\n"
      "method: {{type: edm, steps: 3}}\ntrain: {{lr: 0.001, batch: 8}}\ngen0: {{kimg: 0.016}}\n"
      "loop: {{generations: 2, lambda: 0.5, kimg_per_generation: 0.016}}\n"
      "eval: {{num_samples: 4, grid: 8}}\n",
      idx.string());
}

torch::Tensor decode(const fs::path& png) { return decode_image(test::read_text(png), png.string()); }

TEST(FixedSeedViews, GridsStripAndNeighboursComeFromTheSameSeedsInEveryGeneration) {
  test::ScratchDir dir;
  std::vector<torch::Tensor> images;
  for (std::int64_t i = 0; i < 16; ++i) images.push_back(test::pattern(1, 8, 8, 13 * i)[0]);
  test::write_text(dir / "images.idx", test::idx_images(torch::stack(images)));
  test::write_text(dir / "views.yaml", views_config(dir / "images.idx"));
  auto r = run_retrain({"--config", (dir / "views.yaml").string(), "--out", (dir / "runs").string(), "--quiet"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto run = dir / "runs/views";

  for (int g = 0; g <= 2; ++g) {
    const auto gen = run / fmt::format("gen_{:04d}", g);
    const auto out = dir / fmt::format("sampled_{}", g);
    auto s = run_retrain({"sample", gen.string(), "--seeds", "0-7", "--out-dir", out.string(), "--quiet"});
    ASSERT_EQ(s.exit_code, 0) << s.output;
    // `retrain sample` writes its grid beside the folder of per-seed PNGs.
    EXPECT_EQ(test::read_text(gen / "grid.png"), test::read_text(dir / fmt::format("sampled_{}-grid.png", g)))
        << "generation " << g;
    const auto tile = decode(gen / "seed_samples.png");  // [3, 64, 8]: seeds 0..7 in one column
    ASSERT_EQ(tile.sizes(), (std::vector<std::int64_t>{3, 64, 8}));
    for (int seed = 0; seed < 8; ++seed)
      EXPECT_TRUE(torch::equal(tile.narrow(1, 8 * seed, 8), decode(out / fmt::format("{:06d}.png", seed))))
          << "generation " << g << ", seed " << seed;
  }
  EXPECT_NE(test::read_text(run / "gen_0000/seed_samples.png"), test::read_text(run / "gen_0002/seed_samples.png"));

  // The strip: "seed r" labels, "gen g" titles, panels of 8x8 samples enlarged 8 times to 64 pixels.
  const auto strip = decode(run / "plots/seed_strip.png");
  const int label_w = text_width("seed 7", 2) + 4, title_h = text_height(2) + 4, panel = kSeedStripPanel;
  ASSERT_EQ(strip.size(2), 2 * 8 + label_w + 3 * panel + 2 * 4);
  ASSERT_EQ(strip.size(1), 2 * 8 + title_h + 8 * panel + 7 * 4);
  for (int g = 0; g <= 2; ++g)
    for (int seed : {0, 5}) {
      const auto x0 = 8 + label_w + g * (panel + 4), y0 = 8 + title_h + seed * (panel + 4);
      const auto tile = decode(run / fmt::format("gen_{:04d}/seed_samples.png", g));
      const auto enlarged = tile.narrow(1, 8 * seed, 8).repeat_interleave(8, 1).repeat_interleave(8, 2);
      EXPECT_TRUE(torch::equal(strip.narrow(1, y0, panel).narrow(2, x0, panel), enlarged)) << g << ", " << seed;
    }

  // Neighbours among the 12 training images, in pixels scaled to [0, 1].
  const Config config = load_config_text(test::read_text(run / "config.yaml"), "config.yaml");
  const auto source = ImageSource::from_config(config.data);
  auto real_gen = make_generator(config.seed, 0, Stream::RealData);
  const auto training = source.draw_indices(config.data.n, real_gen);
  ASSERT_EQ(training.size(0), 12);
  const auto real = source.dataset().images().to(torch::kFloat64) / 255.0;  // [16, 1, 8, 8]
  for (int g = 0; g <= 2; ++g) {
    const auto gen = run / fmt::format("gen_{:04d}", g);
    const auto doc = nlohmann::json::parse(test::read_text(gen / "neighbours.json"));
    EXPECT_EQ(doc["space"], "pixels");
    ASSERT_EQ(doc["rows"].size(), 8u);
    const auto tile = decode(gen / "seed_samples.png").to(torch::kFloat64) / 255.0;
    for (int seed = 0; seed < 8; ++seed) {
      const auto& row = doc["rows"][seed];
      EXPECT_EQ(row["seed"], seed);
      const auto sample = tile[0].narrow(0, 8 * seed, 8);  // grey, stored as equal RGB channels
      std::vector<std::pair<double, std::int64_t>> brute;
      for (std::int64_t j = 0; j < training.size(0); ++j) {
        const auto i = training[j].item<std::int64_t>();
        brute.emplace_back((real[i][0] - sample).pow(2).sum().sqrt().item<double>(), i);
      }
      std::sort(brute.begin(), brute.end());
      ASSERT_EQ(row["neighbours"].size(), 3u);
      for (int k = 0; k < 3; ++k) {
        EXPECT_EQ(row["neighbours"][k]["index"], brute[k].second) << "generation " << g << ", seed " << seed;
        EXPECT_NEAR(row["neighbours"][k]["distance"].get<double>(), brute[k].first, 1e-9);
      }
    }
    EXPECT_EQ(decode(gen / "neighbours.png").sizes(), (std::vector<std::int64_t>{3, 8 * 8 + 9, 4 * 8 + 5}));
  }
}

}  // namespace
}  // namespace retrain
