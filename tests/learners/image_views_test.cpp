// ImageEvaluator's fixed-seed views with a feature extractor: grid.png of every view, the first 8 as
// the seed tile, and each of those with its 3 nearest real training images in the extractor's feature
// space (only the data.n images drawn for training are candidates), checked by brute force.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "data/image_test_files.hpp"
#include "retrain/core/atomic_file.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/data/image_decode.hpp"
#include "retrain/data/image_source.hpp"
#include "retrain/learners/image_evaluator.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

// Two features per image: its mean and its top-left pixel (so feature-space neighbours differ from
// pixel-space ones).
class MeanAndCornerExtractor final : public FeatureExtractor {
 public:
  torch::Tensor features(const torch::Tensor& images) const override {
    const auto x = images.to(torch::kFloat32) / 255.0;
    return torch::stack({x.flatten(1).mean(1), x.select(1, 0).select(1, 0).select(1, 0)}, 1);
  }
  std::string id() const override { return "mean-and-corner"; }
  std::string describe() const override { return "mean and corner (test)"; }
};

torch::Tensor images(std::int64_t n, std::int64_t salt) {
  std::vector<torch::Tensor> all;
  for (std::int64_t i = 0; i < n; ++i) all.push_back(test::pattern(1, 8, 8, salt + 11 * i));
  return torch::stack(all);
}

TEST(ImageViews, NeighboursAreTheNearestTrainingImagesInFeatureSpace) {
  EvalOptions eval;
  eval.grid = 10;
  const RealDraw training_draw{.seed = 3, .n = 10};  // of 20: the other 10 are never neighbours
  const ImageSource real(ImageDataset("test", images(20, 1), torch::Tensor(), 0));
  const auto extractor = std::make_shared<MeanAndCornerExtractor>();
  ImageEvaluator evaluator(eval, real, training_draw, extractor, {});
  ASSERT_EQ(evaluator.view_count(), 10);
  const auto views = images(10, 500);
  test::ScratchDir dir;
  evaluator.write_views({views, torch::Tensor()}, dir.path());

  const auto grid = decode_image(read_file(dir / "grid.png"), "grid.png");  // 4 columns, 3 rows, 1-pixel gaps
  EXPECT_EQ(grid.sizes(), (std::vector<std::int64_t>{3, 3 * 8 + 4, 4 * 8 + 5}));
  const auto tile = decode_image(read_file(dir / "seed_samples.png"), "seed_samples.png");
  ASSERT_EQ(tile.sizes(), (std::vector<std::int64_t>{3, 64, 8}));
  EXPECT_TRUE(torch::equal(tile[0].reshape({8, 8, 8}), views.narrow(0, 0, 8).select(1, 0)));

  auto gen = make_generator(training_draw.seed, 0, Stream::RealData);
  const auto training = real.draw_indices(training_draw.n, gen);
  const std::set<std::int64_t> candidates(training.data_ptr<std::int64_t>(), training.data_ptr<std::int64_t>() + 10);
  const auto real_features = extractor->features(real.dataset().images()).to(torch::kFloat64);
  const auto view_features = extractor->features(views).to(torch::kFloat64);
  const auto doc = nlohmann::json::parse(read_file(dir / "neighbours.json"));
  EXPECT_EQ(doc["space"], "features");
  ASSERT_EQ(doc["rows"].size(), 8u);
  for (int s = 0; s < 8; ++s) {
    std::vector<std::pair<double, std::int64_t>> brute;
    for (const auto i : candidates) brute.emplace_back((real_features[i] - view_features[s]).norm().item<double>(), i);
    std::sort(brute.begin(), brute.end());
    const auto& row = doc["rows"][s];
    EXPECT_EQ(row["seed"], s);
    ASSERT_EQ(row["neighbours"].size(), 3u);
    for (int k = 0; k < 3; ++k) {
      EXPECT_EQ(row["neighbours"][k]["index"], brute[k].second) << "sample " << s;
      EXPECT_NEAR(row["neighbours"][k]["distance"].get<double>(), brute[k].first, 1e-6);
    }
  }
  // neighbours.png: per row the sample, then its 3 neighbours.
  EXPECT_EQ(decode_image(read_file(dir / "neighbours.png"), "neighbours.png").sizes(),
            (std::vector<std::int64_t>{3, 8 * 8 + 9, 4 * 8 + 5}));
}

}  // namespace
}  // namespace retrain
