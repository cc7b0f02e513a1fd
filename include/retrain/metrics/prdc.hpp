// Precision and recall (Kynkaanniemi et al. 2019) and density and coverage (Naeem et al. 2020) of fake
// features against real ones, from k-nearest-neighbour balls; distances are computed in tiles, never all at once.
#pragma once
#include <torch/types.h>

#include <cstdint>

namespace retrain {

struct PrdcOptions {
  std::int64_t k = 3;        // the ball of a point reaches its k-th nearest neighbour in its own set
  std::int64_t tile = 2048;  // distances are computed in tile x tile blocks (32 MiB of float64 at 2048)
};

// Every ball is closed (a point at exactly the radius is inside).
struct Prdc {
  double precision = 0;  // share of fake points inside the ball of at least one real point
  double recall = 0;     // share of real points inside the ball of at least one fake point
  double density = 0;    // (1 / (k M)) * sum over fake points of the number of real balls containing it
  double coverage = 0;   // share of real points whose nearest fake point is inside their own ball
};

// Distance from each row of points [N, D] to its k-th nearest other row (itself excluded), float64 [N].
// A running top-k per row is merged across column tiles. Throws UsageError unless 1 <= k < N.
torch::Tensor kth_neighbour_distances(const torch::Tensor& points, std::int64_t k, std::int64_t tile);

// real [N, D], fake [M, D] (any float dtype; computed in float64 on real's device). Throws UsageError when
// a set is empty, the dimensions differ, k < 1, k >= N or k >= M, tile < 1, or a feature is NaN or infinite.
Prdc precision_recall_density_coverage(const torch::Tensor& real, const torch::Tensor& fake,
                                       const PrdcOptions& options = {});

}  // namespace retrain
