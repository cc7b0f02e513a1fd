// k-means (blob recovery, reproducibility, k > N) and the k-means correction: strengths, per-class
// targets, the centroid cache and feature-space clustering.
#include <gtest/gtest.h>

#include "retrain/core/errors.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/correction/kmeans.hpp"
#include "retrain/correction/kmeans_correction.hpp"
#include "retrain/features/feature_extractor.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

// `per_center` points around each row of `centers` [k, D], standard deviation `spread`.
torch::Tensor blobs(const torch::Tensor& centers, std::int64_t per_center, double spread, std::uint64_t seed) {
  auto gen = make_generator(seed, 0, Stream::RealData);
  auto noise = torch::randn({centers.size(0), per_center, centers.size(1)}, gen, torch::kFloat32) * spread;
  return (centers.unsqueeze(1) + noise).reshape({-1, centers.size(1)});
}

// Whether every image of `images` [M, ...] equals one of `centroids` [G, K, ...] exactly.
bool every_image_is_a_centroid(const torch::Tensor& images, const torch::Tensor& centroids) {
  const auto x = images.reshape({images.size(0), 1, -1});
  const auto c = centroids.reshape({1, centroids.size(0) * centroids.size(1), -1});
  return (x == c).all(2).any(1).all().item<bool>();
}

TEST(KMeans, RecoversThreeSeparatedBlobsAndLowersTheInertia) {
  const auto centers = torch::tensor({0.0f, 0.0f, 10.0f, 0.0f, 0.0f, 10.0f}).reshape({3, 2});
  const auto points = blobs(centers, 100, 0.5, 1);
  auto gen = make_generator(7, 0, Stream::Fit);
  const auto result = kmeans(points, 3, gen);
  for (std::int64_t i = 0; i < 3; ++i)
    EXPECT_LT((result.centroids - centers[i]).norm(2, 1).min().item<double>(), 0.2) << "centre " << i;
  EXPECT_EQ(result.assignment.bincount().min().item<std::int64_t>(), 100);
  const auto recomputed = (points - result.centroids.index_select(0, result.assignment)).square().sum().item<double>();
  EXPECT_NEAR(result.inertia, recomputed, 1e-3 * recomputed);
  auto same_seed = make_generator(7, 0, Stream::Fit);
  const auto seeding_only = kmeans(points, 3, same_seed, {.max_iter = 0});
  EXPECT_EQ(seeding_only.iterations, 0);
  EXPECT_LT(result.inertia, seeding_only.inertia);
  EXPECT_GE(result.iterations, 1);
}

TEST(KMeans, TheSameSeedGivesTheSameClusters) {
  const auto points = torch::rand({200, 5}, make_generator(3, 0, Stream::RealData));
  auto a = make_generator(11, 0, Stream::Fit), b = make_generator(11, 0, Stream::Fit);
  const auto first = kmeans(points, 6, a), second = kmeans(points, 6, b);
  EXPECT_TRUE(torch::equal(first.centroids, second.centroids));
  EXPECT_TRUE(torch::equal(first.assignment, second.assignment));
}

TEST(KMeans, MoreClustersThanPointsIsAUsageError) {
  auto gen = make_generator(0, 0, Stream::Fit);
  const auto message = test::message_of<UsageError>([&] { kmeans(torch::zeros({3, 2}), 5, gen); });
  EXPECT_TRUE(test::contains(message, "k = 5") && test::contains(message, "3 points")) << message;
}

// 1x2x2 images in three pixel-space groups of 10.
torch::Tensor three_groups() {
  const auto centers = torch::tensor({-0.8f, -0.8f, -0.8f, -0.8f, 0.8f, 0.8f, 0.8f, 0.8f, -0.8f, 0.8f, -0.8f, 0.8f});
  return blobs(centers.reshape({3, 4}), 10, 0.05, 2).reshape({30, 1, 2, 2});
}

KMeansCorrection pixel_correction(const torch::Tensor& images, const torch::Tensor& labels, std::int64_t k,
                                  double strength) {
  auto gen = make_generator(5, 0, Stream::Correction);
  return KMeansCorrection(images, labels, k, strength, nullptr, gen);
}

TEST(KMeansCorrection, StrengthOneGivesCentroidsZeroTheInputAndHalfTheMidpoint) {
  const auto images = three_groups();
  const auto samples = torch::rand({2, 5, 1, 2, 2}, make_generator(9, 0, Stream::Sample)) * 2 - 1;
  auto gen = make_generator(0, 0, Stream::Correction);
  const auto full = pixel_correction(images, {}, 3, 1.0);
  const auto moved = full.apply(samples, {}, gen);
  EXPECT_EQ(moved.sizes(), samples.sizes());
  EXPECT_TRUE(every_image_is_a_centroid(moved.flatten(0, 1), full.pixel_centroids()));
  EXPECT_FALSE(every_image_is_a_centroid(samples.flatten(0, 1), full.pixel_centroids()));
  EXPECT_TRUE(torch::equal(pixel_correction(images, {}, 3, 0.0).apply(samples, {}, gen), samples));
  const auto half = pixel_correction(images, {}, 3, 0.5).apply(samples, {}, gen);
  EXPECT_TRUE(torch::allclose(half, (samples + moved) / 2));
  EXPECT_EQ(full.describe(), "kmeans K=3 over all images, pixel space, strength 1");
}

TEST(KMeansCorrection, ASampleMovesToACentroidOfItsOwnClass) {
  const auto images = three_groups().narrow(0, 0, 20);  // class 0 near -0.8, class 1 near +0.8
  const auto labels = torch::cat({torch::zeros({10}, torch::kLong), torch::ones({10}, torch::kLong)});
  const auto correction = pixel_correction(images, labels, 2, 1.0);
  ASSERT_EQ(correction.pixel_centroids().sizes(), (std::vector<std::int64_t>{2, 2, 1, 2, 2}));
  const auto sample = torch::full({1, 1, 1, 2, 2}, 0.7f);  // much nearer class 1's centroids
  auto gen = make_generator(0, 0, Stream::Correction);
  const auto as_class_0 = correction.apply(sample, torch::zeros({1, 1}, torch::kLong), gen);
  EXPECT_TRUE(every_image_is_a_centroid(as_class_0[0], correction.pixel_centroids().narrow(0, 0, 1)));
  const auto unlabelled = correction.apply(sample, {}, gen);
  EXPECT_TRUE(every_image_is_a_centroid(unlabelled[0], correction.pixel_centroids().narrow(0, 1, 1)));
  EXPECT_TRUE(test::contains(correction.describe(), "per class")) << correction.describe();
}

TEST(KMeansCorrection, BadInputsNameTheNumbers) {
  const auto images = three_groups().narrow(0, 0, 12);
  const auto labels = torch::cat({torch::zeros({10}, torch::kLong), torch::ones({2}, torch::kLong)});
  auto message = test::message_of<UsageError>([&] { pixel_correction(images, labels, 3, 1.0); });
  EXPECT_TRUE(test::contains(message, "class 1 has 2 images, fewer than K = 3")) << message;
  message = test::message_of<UsageError>([&] { pixel_correction(images, torch::zeros({5}, torch::kLong), 3, 1.0); });
  EXPECT_TRUE(test::contains(message, "[12]") && test::contains(message, "[5]")) << message;
  const auto correction = pixel_correction(images, labels, 2, 1.0);
  auto gen = make_generator(0, 0, Stream::Correction);
  message = test::message_of<UsageError>([&] {
    correction.apply(torch::zeros({1, 2, 1, 2, 2}), torch::full({1, 2}, 4, torch::kLong), gen);
  });
  EXPECT_TRUE(test::contains(message, "label 4") && test::contains(message, "0..1")) << message;
  message = test::message_of<UsageError>([&] { correction.apply(torch::zeros({1, 2, 1, 3, 3}), {}, gen); });
  EXPECT_TRUE(test::contains(message, "[1, 2, 1, 3, 3]")) << message;
  message = test::message_of<UsageError>([&] { pixel_correction(images, {}, 2, 1.5); });
  EXPECT_TRUE(test::contains(message, "strength 1.5")) << message;
}

TEST(KMeansCorrection, TheCacheIsReloadedForItsKeyAndRecomputedForAnother) {
  test::ScratchDir dir;
  const auto cache = dir / "kmeans.safetensors";
  const auto images = three_groups();
  auto gen = make_generator(5, 0, Stream::Correction);
  EXPECT_FALSE(KMeansCorrection::load(cache, "a", 1.0, nullptr));
  const auto computed = KMeansCorrection::load_or_compute(cache, "a", images, {}, 3, 1.0, nullptr, gen);
  const auto reloaded = KMeansCorrection::load(cache, "a", 0.5, nullptr);
  ASSERT_TRUE(reloaded);
  EXPECT_TRUE(torch::equal(reloaded->pixel_centroids(), computed.pixel_centroids()));
  EXPECT_EQ(reloaded->describe(), "kmeans K=3 over all images, pixel space, strength 0.5");
  EXPECT_FALSE(KMeansCorrection::load(cache, "b", 1.0, nullptr));
  const auto shifted = KMeansCorrection::load_or_compute(cache, "b", images + 0.1, {}, 3, 1.0, nullptr, gen);
  EXPECT_FALSE(torch::allclose(shifted.pixel_centroids(), computed.pixel_centroids()));
  EXPECT_FALSE(KMeansCorrection::load(cache, "a", 1.0, nullptr));
  ASSERT_TRUE(KMeansCorrection::load(cache, "b", 1.0, nullptr));
}

// Features = the mean pixel value of each image, as a 1-d vector.
class MeanBrightness final : public FeatureExtractor {
 public:
  torch::Tensor features(const torch::Tensor& images) const override {
    return images.to(torch::kFloat32).mean({1, 2, 3}).unsqueeze(1);
  }
  std::string id() const override { return "mean-brightness"; }
  std::string describe() const override { return "mean brightness"; }
};

TEST(KMeansCorrection, FeatureSpaceClustersOnFeaturesAndTargetsMemberMeans) {
  // Dark images near D = (-0.9, -0.1, -0.9, -0.1), bright ones near -D.
  const auto dark = torch::tensor({-0.9f, -0.1f, -0.9f, -0.1f}).reshape({1, 4});
  const auto images = blobs(torch::cat({dark, -dark}), 8, 0.03, 4).reshape({16, 1, 2, 2});
  MeanBrightness extractor;
  auto gen = make_generator(5, 0, Stream::Correction);
  const KMeansCorrection correction(images, {}, 2, 1.0, &extractor, gen);
  // Nearer the bright mean in pixels, but darker on average: feature space picks the dark cluster.
  const auto sample = torch::tensor({0.5f, -1.0f, 0.5f, -1.0f}).reshape({1, 1, 1, 2, 2});
  const auto moved = correction.apply(sample, {}, gen);
  EXPECT_TRUE(torch::allclose(moved.reshape({4}), images.narrow(0, 0, 8).mean(0).reshape({4}), 1e-5, 1e-6)) << moved;
  EXPECT_TRUE(test::contains(correction.describe(), "feature space of mean brightness")) << correction.describe();
  test::ScratchDir dir;
  correction.save(dir / "features.safetensors", "k");
  EXPECT_FALSE(KMeansCorrection::load(dir / "features.safetensors", "k", 1.0, nullptr));  // pixel space differs
  const auto reloaded = KMeansCorrection::load(dir / "features.safetensors", "k", 1.0, &extractor);
  ASSERT_TRUE(reloaded);
  EXPECT_TRUE(torch::equal(reloaded->apply(sample, {}, gen), moved));
}

}  // namespace
}  // namespace retrain
