// k-means clustering (k-means++ seeding from a given generator, then Lloyd iterations) on the device of
// the points, with distances computed in chunks so tens of thousands of 1024-d points fit in memory.
#pragma once
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <cstdint>

namespace retrain {

struct KMeansOptions {
  std::int64_t max_iter = 100;
  // Also stop when an iteration lowers the inertia by less than this fraction (0: only when no point
  // changes cluster, or after max_iter iterations).
  double tol = 0.0;
};

struct KMeansResult {
  torch::Tensor centroids;   // [k, D], dtype and device of the points
  torch::Tensor assignment;  // int64 [N]: the nearest centroid of each point
  double inertia;            // sum of squared distances of the points to their centroids
  std::int64_t iterations;   // Lloyd updates done
};

// points: floating [N, D]. The seeding draws from `gen` (a CPU generator), so a seed gives the same
// clusters. A cluster left empty is re-seeded at the point farthest from its centroid. Throws
// UsageError when k < 1 or k > N.
KMeansResult kmeans(const torch::Tensor& points, std::int64_t k, at::Generator& gen, const KMeansOptions& options = {});

struct NearestCentroids {
  torch::Tensor index;             // int64 [N]
  torch::Tensor squared_distance;  // [N]
};

// The nearest of `centroids` [k, D] to each of `points` [N, D] (same device), by
// |a|^2 + |b|^2 - 2 a.b in chunks of rows.
NearestCentroids nearest_centroids(const torch::Tensor& points, const torch::Tensor& centroids);

struct ClusterMeans {
  torch::Tensor means;   // [k, ...]: the mean of the values in each cluster (zeros where empty)
  torch::Tensor counts;  // int64 [k]: members of each cluster
};

// Per-cluster means of `values` [N, ...] under `assignment` (int64 [N] in [0, k)), same device.
ClusterMeans cluster_means(const torch::Tensor& values, const torch::Tensor& assignment, std::int64_t k);

}  // namespace retrain
