// k-means self-correction: clusters of the real images (per class when labelled) in pixel or feature
// space, the pull of each synthetic image toward its cluster's pixel centroid, and the centroid cache.
#include "retrain/correction/kmeans_correction.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <vector>

#include "retrain/core/errors.hpp"
#include "retrain/core/safetensors.hpp"
#include "retrain/correction/kmeans.hpp"
#include "retrain/data/quantize.hpp"
#include "retrain/features/feature_extractor.hpp"

namespace retrain {
namespace {

void check_strength(double strength) {
  if (!(strength >= 0 && strength <= 1))
    throw UsageError(fmt::format("k-means correction: strength {} is outside [0, 1]", strength));
}

// One row per image in the clustering space: the flattened pixels (on the images' device) or the
// extractor's features (CPU).
torch::Tensor embed(const torch::Tensor& images, const FeatureExtractor* extractor) {
  if (extractor) return extractor->features(quantize_images(images).cpu()).to(torch::kFloat32);
  return images.reshape({images.size(0), -1}).to(torch::kFloat32);
}

// Names the clustering space in the cache, so centroids from another extractor are not reused.
std::string space_key(const FeatureExtractor* extractor) { return extractor ? "features " + extractor->id() : "pixel"; }

// Rows of each group: one group per class 0..max(labels), or one group of all rows when unlabelled.
std::vector<torch::Tensor> rows_by_group(const torch::Tensor& labels, std::int64_t n) {
  if (!labels.defined()) return {torch::arange(n, torch::kLong)};
  if (labels.scalar_type() != torch::kLong || labels.dim() != 1 || labels.size(0) != n)
    throw UsageError(fmt::format("k-means correction: labels must be int64 [{}] to match the images, got {} {}", n,
                                 c10::toString(labels.scalar_type()), c10::str(labels.sizes())));
  const auto cpu = labels.cpu();
  const auto lowest = cpu.min().item<std::int64_t>();
  if (lowest < 0)
    throw UsageError(fmt::format("k-means correction: label {} is negative; labels are class indices", lowest));
  const auto classes = cpu.max().item<std::int64_t>() + 1;
  std::vector<torch::Tensor> rows;
  for (std::int64_t c = 0; c < classes; ++c) rows.push_back((cpu == c).nonzero().squeeze(1));
  return rows;
}

}  // namespace

KMeansCorrection::KMeansCorrection(const torch::Tensor& images, const torch::Tensor& labels, std::int64_t k,
                                   double strength, const FeatureExtractor* extractor, at::Generator& gen)
    : per_class_(labels.defined()), strength_(strength), extractor_(extractor) {
  check_strength(strength);
  if (images.dim() != 4 || !images.is_floating_point() || images.size(0) == 0)
    throw UsageError(fmt::format("k-means correction: real images must be floating [N, C, H, W] with N > 0, got {} {}",
                                 c10::toString(images.scalar_type()), c10::str(images.sizes())));
  const auto points = embed(images, extractor);
  std::vector<torch::Tensor> pixel, space;
  const auto groups = rows_by_group(labels, images.size(0));
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const auto& rows = groups[g];
    const auto group = per_class_ ? fmt::format("class {}", g) : std::string("the data set");
    if (rows.size(0) < k)
      throw UsageError(fmt::format("k-means correction: {} has {} images, fewer than K = {}", group, rows.size(0), k));
    const auto clusters = kmeans(points.index_select(0, rows.to(points.device())), k, gen);
    space.push_back(clusters.centroids.cpu());
    if (!extractor) {
      pixel.push_back(clusters.centroids.reshape({k, images.size(1), images.size(2), images.size(3)}).cpu());
      continue;
    }
    const auto members = cluster_means(images.index_select(0, rows.to(images.device())).to(torch::kFloat32),
                                       clusters.assignment.to(images.device()), k);
    if ((members.counts == 0).any().item<bool>())
      throw UsageError(
          fmt::format("k-means correction: {} has fewer than K = {} distinct feature vectors, so a "
                      "cluster has no images",
                      group, k));
    pixel.push_back(members.means.cpu());
  }
  pixel_centroids_ = torch::stack(pixel);
  space_centroids_ = torch::stack(space);
}

KMeansCorrection::KMeansCorrection(torch::Tensor pixel_centroids, torch::Tensor space_centroids, bool per_class,
                                   double strength, const FeatureExtractor* extractor)
    : pixel_centroids_(std::move(pixel_centroids)),
      space_centroids_(std::move(space_centroids)),
      per_class_(per_class),
      strength_(strength),
      extractor_(extractor) {
  check_strength(strength);
}

torch::Tensor KMeansCorrection::apply(const torch::Tensor& samples, const torch::Tensor& labels, at::Generator&) const {
  const auto image_shape = pixel_centroids_.sizes().slice(2);
  if (samples.dim() != 5 || samples.sizes().slice(2) != image_shape)
    throw UsageError(fmt::format("k-means correction: samples must be [R, n] x {} like the centroids, got {}",
                                 c10::str(image_shape), c10::str(samples.sizes())));
  if (strength_ == 0) return samples;
  const auto flat = samples.flatten(0, 1);
  const auto points = embed(flat, extractor_);
  const auto centroids = space_centroids_.to(points.device());
  const auto k = centroids.size(1), groups = centroids.size(0);
  torch::Tensor chosen;  // int64 [R * n] into the flattened [groups * K] centroids
  if (per_class_ && labels.defined()) {
    if (labels.scalar_type() != torch::kLong || labels.sizes() != samples.sizes().slice(0, 2))
      throw UsageError(fmt::format("k-means correction: labels must be int64 {} to match the samples, got {} {}",
                                   c10::str(samples.sizes().slice(0, 2)), c10::toString(labels.scalar_type()),
                                   c10::str(labels.sizes())));
    const auto flat_labels = labels.reshape({-1}).cpu();
    const auto lowest = flat_labels.min().item<std::int64_t>(), highest = flat_labels.max().item<std::int64_t>();
    if (lowest < 0 || highest >= groups)
      throw UsageError(fmt::format("k-means correction: label {} is out of range; the clusters cover classes 0..{}",
                                   lowest < 0 ? lowest : highest, groups - 1));
    chosen = torch::empty({flat.size(0)}, torch::kLong);
    for (std::int64_t c = 0; c < groups; ++c) {
      const auto rows = (flat_labels == c).nonzero().squeeze(1);
      if (rows.numel() == 0) continue;
      const auto nearest = nearest_centroids(points.index_select(0, rows.to(points.device())), centroids[c]);
      chosen.index_copy_(0, rows, nearest.index.cpu() + c * k);
    }
  } else {
    chosen = nearest_centroids(points, centroids.flatten(0, 1)).index.cpu();
  }
  const auto targets =
      pixel_centroids_.flatten(0, 1).index_select(0, chosen).to(samples.device(), samples.scalar_type());
  return ((1 - strength_) * flat + strength_ * targets).reshape(samples.sizes());
}

std::string KMeansCorrection::describe() const {
  return fmt::format("kmeans K={} {}, {}, strength {}", pixel_centroids_.size(1),
                     per_class_ ? fmt::format("per class ({} classes)", pixel_centroids_.size(0)) : "over all images",
                     extractor_ ? fmt::format("feature space of {}", extractor_->describe()) : "pixel space",
                     strength_);
}

void KMeansCorrection::save(const std::filesystem::path& path, const std::string& key) const {
  TensorMap tensors{{"pixel_centroids", pixel_centroids_}};
  if (extractor_) tensors.emplace("feature_centroids", space_centroids_);
  save_safetensors(path, tensors,
                   {{"key", key},
                    {"k", std::to_string(pixel_centroids_.size(1))},
                    {"space", space_key(extractor_)},
                    {"per_class", per_class_ ? "true" : "false"}});
}

std::optional<KMeansCorrection> KMeansCorrection::load(const std::filesystem::path& path,
                                                       const std::string& expected_key, double strength,
                                                       const FeatureExtractor* extractor) {
  if (!std::filesystem::exists(path)) return std::nullopt;
  auto metadata = load_safetensors_metadata(path);
  if (metadata["key"] != expected_key || metadata["space"] != space_key(extractor)) {
    spdlog::info("k-means cache {} holds clusters for key '{}' in {} space, not key '{}' in {} space; ignoring it",
                 path.string(), metadata["key"], metadata["space"], expected_key, space_key(extractor));
    return std::nullopt;
  }
  const auto tensors = load_safetensors(path);
  auto pixel = require_tensor(tensors, "pixel_centroids", path);
  auto space = extractor ? require_tensor(tensors, "feature_centroids", path) : pixel.flatten(2);
  if (pixel.dim() != 5 || space.dim() != 3 || pixel.sizes().slice(0, 2) != space.sizes().slice(0, 2))
    throw CorruptFile(
        fmt::format("'{}' is not a k-means cache: pixel centroids {} and clustering-space "
                    "centroids {} should be [groups, K, C, H, W] and [groups, K, D]",
                    path.string(), c10::str(pixel.sizes()), c10::str(space.sizes())));
  return KMeansCorrection(std::move(pixel), std::move(space), metadata["per_class"] == "true", strength, extractor);
}

KMeansCorrection KMeansCorrection::load_or_compute(const std::filesystem::path& cache, const std::string& key,
                                                   const torch::Tensor& images, const torch::Tensor& labels,
                                                   std::int64_t k, double strength, const FeatureExtractor* extractor,
                                                   at::Generator& gen) {
  if (auto cached = load(cache, key, strength, extractor)) {
    spdlog::info("k-means correction: reusing the clusters in {}", cache.string());
    return std::move(*cached);
  }
  KMeansCorrection computed(images, labels, k, strength, extractor, gen);
  computed.save(cache, key);
  spdlog::info("k-means correction: computed {}; saved to {}", computed.describe(), cache.string());
  return computed;
}

}  // namespace retrain
