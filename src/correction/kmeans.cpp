// k-means: k-means++ seeding (each next centre drawn with probability proportional to its squared
// distance from the centres so far), then Lloyd iterations until no point changes cluster.
#include "retrain/correction/kmeans.hpp"

#include <fmt/format.h>

#include <vector>

#include "retrain/core/errors.hpp"

namespace retrain {
namespace {

// Elements of one chunk's temporaries (rows x (k + D)); 2^24 floats are 64 MiB.
constexpr std::int64_t kChunkElements = std::int64_t{1} << 24;

// A random point index: uniform when every weight is zero (all points sit on centres), else
// proportional to `weights`.
std::int64_t draw_index(const torch::Tensor& weights, at::Generator& gen) {
  auto w = weights.to(torch::kCPU, torch::kFloat64);
  if (w.sum().item<double>() <= 0) return torch::randint(w.size(0), {1}, gen, torch::kLong).item<std::int64_t>();
  return torch::multinomial(w, 1, /*replacement=*/false, gen).item<std::int64_t>();
}

torch::Tensor seed_plus_plus(const torch::Tensor& points, std::int64_t k, at::Generator& gen) {
  auto centroids = points.new_empty({k, points.size(1)});
  centroids[0].copy_(points[torch::randint(points.size(0), {1}, gen, torch::kLong).item<std::int64_t>()]);
  auto squared_distance = nearest_centroids(points, centroids.narrow(0, 0, 1)).squared_distance;
  for (std::int64_t j = 1; j < k; ++j) {
    centroids[j].copy_(points[draw_index(squared_distance, gen)]);
    squared_distance =
        torch::minimum(squared_distance, nearest_centroids(points, centroids.narrow(0, j, 1)).squared_distance);
  }
  return centroids;
}

// Moves the centroid of every empty cluster onto the point farthest from its own centroid, each
// empty cluster taking a different point.
void reseed_empty(torch::Tensor& centroids, const torch::Tensor& counts, const torch::Tensor& points,
                  const torch::Tensor& squared_distance) {
  const auto empty = (counts == 0).nonzero().squeeze(1).cpu();
  if (empty.numel() == 0) return;
  auto remaining = squared_distance.clone();
  for (std::int64_t e = 0; e < empty.numel(); ++e) {
    const auto j = empty[e].item<std::int64_t>();
    const auto farthest = remaining.argmax().item<std::int64_t>();
    centroids[j].copy_(points[farthest]);
    remaining[farthest] = -1;
  }
}

}  // namespace

NearestCentroids nearest_centroids(const torch::Tensor& points, const torch::Tensor& centroids) {
  const auto n = points.size(0);
  if (n == 0) return {torch::empty({0}, points.options().dtype(torch::kLong)), points.new_empty({0})};
  const auto rows = std::max<std::int64_t>(1, kChunkElements / (centroids.size(0) + points.size(1)));
  const auto centroid_norms = centroids.square().sum(1);
  const auto centroids_t = centroids.t();
  std::vector<torch::Tensor> index, squared_distance;
  for (std::int64_t start = 0; start < n; start += rows) {
    const auto x = points.narrow(0, start, std::min(rows, n - start));
    const auto d =
        torch::addmm(x.square().sum(1, /*keepdim=*/true) + centroid_norms, x, centroids_t, 1, -2).clamp_min_(0);
    auto [nearest, at] = d.min(1);
    index.push_back(at);
    squared_distance.push_back(nearest);
  }
  return {torch::cat(index), torch::cat(squared_distance)};
}

ClusterMeans cluster_means(const torch::Tensor& values, const torch::Tensor& assignment, std::int64_t k) {
  const auto flat = values.reshape({values.size(0), -1});
  const auto sums = torch::zeros({k, flat.size(1)}, flat.options()).index_add_(0, assignment, flat);
  const auto counts = torch::bincount(assignment, {}, k);
  auto shape = values.sizes().vec();
  shape[0] = k;
  return {(sums / counts.clamp_min(1).unsqueeze(1).to(sums.scalar_type())).reshape(shape), counts};
}

KMeansResult kmeans(const torch::Tensor& points, std::int64_t k, at::Generator& gen, const KMeansOptions& options) {
  if (points.dim() != 2 || !points.is_floating_point())
    throw UsageError(fmt::format("k-means: points must be floating [N, D], got {} of shape {}",
                                 c10::toString(points.scalar_type()), c10::str(points.sizes())));
  if (k < 1 || k > points.size(0))
    throw UsageError(fmt::format("k-means: k = {} clusters asked for {} points; need 1 <= k <= {}", k, points.size(0),
                                 points.size(0)));
  auto centroids = seed_plus_plus(points, k, gen);
  auto nearest = nearest_centroids(points, centroids);
  double inertia = nearest.squared_distance.sum().item<double>();
  std::int64_t iterations = 0;
  while (iterations < options.max_iter) {
    auto [means, counts] = cluster_means(points, nearest.index, k);
    reseed_empty(means, counts, points, nearest.squared_distance);
    centroids = means;
    ++iterations;
    auto next = nearest_centroids(points, centroids);
    const bool changed = !torch::equal(next.index, nearest.index);
    const double previous = inertia;
    inertia = next.squared_distance.sum().item<double>();
    nearest = std::move(next);
    if (!changed || (options.tol > 0 && previous - inertia <= options.tol * previous)) break;
  }
  return {centroids, nearest.index, inertia, iterations};
}

}  // namespace retrain
