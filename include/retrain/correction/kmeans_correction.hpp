// Self-correction for images (paper 2's pi_gamma on MNIST): k-means of the real images, per class when
// labelled; each synthetic image moves toward the pixel centroid of its nearest cluster.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

#include "retrain/correction/correction.hpp"

namespace retrain {

class FeatureExtractor;

class KMeansCorrection final : public Correction {
 public:
  // Clusters `images` (float32 [N, C, H, W] in [-1, 1]) into `k` clusters per class of `labels`
  // (int64 [N] in [0, classes)), or over all images when `labels` is undefined. With an `extractor`
  // the clustering runs on its features of the images as uint8 and a cluster's pixel centroid is the
  // mean of its member images; without one (nullptr) it runs on the pixels. `strength` in [0, 1]:
  // 0 leaves samples unchanged, 1 replaces each by its centroid. k-means++ seeding draws from `gen`.
  // The extractor must outlive the correction.
  KMeansCorrection(const torch::Tensor& images, const torch::Tensor& labels, std::int64_t k, double strength,
                   const FeatureExtractor* extractor, at::Generator& gen);

  // samples float [R, n, C, H, W]; labels int64 [R, n] restrict each sample to its own class's
  // clusters (only when the clusters are per class), or undefined for the nearest of all clusters.
  torch::Tensor apply(const torch::Tensor& samples, const torch::Tensor& labels, at::Generator& gen) const override;
  std::string describe() const override;

  // Writes the centroids (not the strength) with `key`, which names what they were computed from
  // (e.g. a hash of the data set, K, the space and the seed).
  void save(const std::filesystem::path& path, const std::string& key) const;
  // The correction saved at `path` when it exists, was saved with `expected_key` and in the space of
  // `extractor`; otherwise nullopt (a stale cache is logged). Malformed files throw.
  static std::optional<KMeansCorrection> load(const std::filesystem::path& path, const std::string& expected_key,
                                              double strength, const FeatureExtractor* extractor);
  // load() from `cache`, or compute the clusters and save them there.
  static KMeansCorrection load_or_compute(const std::filesystem::path& cache, const std::string& key,
                                          const torch::Tensor& images, const torch::Tensor& labels, std::int64_t k,
                                          double strength, const FeatureExtractor* extractor, at::Generator& gen);

  // [groups, K, C, H, W]: one group per class, or a single group when unlabelled.
  const torch::Tensor& pixel_centroids() const { return pixel_centroids_; }

 private:
  KMeansCorrection(torch::Tensor pixel_centroids, torch::Tensor space_centroids, bool per_class, double strength,
                   const FeatureExtractor* extractor);

  torch::Tensor pixel_centroids_;  // float32 [groups, K, C, H, W], CPU
  torch::Tensor space_centroids_;  // float32 [groups, K, D] in the clustering space, CPU
  bool per_class_;
  double strength_;
  const FeatureExtractor* extractor_;
};

}  // namespace retrain
