// Precision, recall, density and coverage: k-NN radii from a running top-k, then one pass over the
// real x fake distance tiles that updates all four counts.
#include "retrain/metrics/prdc.hpp"

#include <fmt/format.h>

#include <limits>

#include "retrain/core/errors.hpp"

namespace retrain {

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// float64 feature vectors with their squared norms, so a distance block is one matrix product.
class TiledPoints {
 public:
  TiledPoints(const torch::Tensor& points, torch::Device device)
      : points_(points.detach().to(device, torch::kFloat64).contiguous()), sq_norms_(points_.square().sum(1)) {}

  std::int64_t size() const { return points_.size(0); }
  torch::TensorOptions options() const { return points_.options(); }

  // Squared distances [r1 - r0, c1 - c0] between rows r0..r1 of this set and rows c0..c1 of `other`:
  // |a|^2 + |b|^2 - 2 a.b, clamped at 0 where round-off takes it below.
  torch::Tensor sq_distances(std::int64_t r0, std::int64_t r1, const TiledPoints& other, std::int64_t c0,
                             std::int64_t c1) const {
    const auto norms = sq_norms_.slice(0, r0, r1).unsqueeze(1) + other.sq_norms_.slice(0, c0, c1).unsqueeze(0);
    return torch::addmm(norms, points_.slice(0, r0, r1), other.points_.slice(0, c0, c1).t(), 1, -2).clamp_min_(0);
  }

 private:
  torch::Tensor points_, sq_norms_;
};

// Squared distance from each point to its k-th nearest other point of the same set.
torch::Tensor kth_neighbour_sq_distances(const TiledPoints& set, std::int64_t k, std::int64_t tile) {
  const auto n = set.size();
  auto radii = torch::empty({n}, set.options());
  for (std::int64_t r0 = 0; r0 < n; r0 += tile) {
    const auto r1 = std::min(r0 + tile, n);
    auto nearest = torch::full({r1 - r0, k}, kInfinity, set.options());
    for (std::int64_t c0 = 0; c0 < n; c0 += tile) {
      auto block = set.sq_distances(r0, r1, set, c0, std::min(c0 + tile, n));
      // Tiles start at multiples of `tile`, so a point meets itself only in the diagonal blocks.
      if (r0 == c0) block.diagonal().fill_(kInfinity);
      nearest = std::get<0>(torch::cat({nearest, block}, 1).topk(k, 1, /*largest=*/false, /*sorted=*/false));
    }
    radii.slice(0, r0, r1).copy_(nearest.amax(1));
  }
  return radii;
}

void check_features(const torch::Tensor& features, const char* which) {
  if (features.dim() != 2 || features.size(0) == 0 || features.size(1) == 0)
    throw UsageError(fmt::format("precision/recall: the {} features must be a non-empty [N, D] matrix, got shape {}",
                                 which, c10::str(features.sizes())));
  if (!torch::isfinite(features).all().item<bool>())
    throw UsageError(fmt::format("precision/recall: the {} features contain NaN or infinity", which));
}

void check_k(std::int64_t k, std::int64_t n, const char* what) {
  if (k < 1) throw UsageError(fmt::format("k-nearest-neighbour radii: k must be at least 1, got {}", k));
  if (k >= n)
    throw UsageError(fmt::format("k-nearest-neighbour radii: k = {} needs more than k points in {}, which has {}", k,
                                 what, n));
}

void check_tile(std::int64_t tile) {
  if (tile < 1) throw UsageError(fmt::format("distance tiles must have at least 1 row, got tile = {}", tile));
}

double share(const torch::Tensor& flags) { return flags.to(torch::kFloat64).mean().item<double>(); }

}  // namespace

torch::Tensor kth_neighbour_distances(const torch::Tensor& points, std::int64_t k, std::int64_t tile) {
  if (points.dim() != 2)
    throw UsageError(fmt::format("k-nearest-neighbour radii expect points [N, D], got shape {}", c10::str(points.sizes())));
  check_k(k, points.size(0), "the set");
  check_tile(tile);
  return kth_neighbour_sq_distances(TiledPoints(points, points.device()), k, tile).sqrt();
}

Prdc precision_recall_density_coverage(const torch::Tensor& real, const torch::Tensor& fake, const PrdcOptions& options) {
  check_features(real, "real");
  check_features(fake, "fake");
  if (real.size(1) != fake.size(1))
    throw UsageError(fmt::format("precision/recall: the real features have D = {}, the fake ones D = {}; they must match",
                                 real.size(1), fake.size(1)));
  check_k(options.k, real.size(0), "the real set");
  check_k(options.k, fake.size(0), "the fake set");
  check_tile(options.tile);

  const auto k = options.k, tile = options.tile;
  const TiledPoints real_points(real, real.device()), fake_points(fake, real.device());
  const auto n = real_points.size(), m = fake_points.size();
  const auto real_radii = kth_neighbour_sq_distances(real_points, k, tile);
  const auto fake_radii = kth_neighbour_sq_distances(fake_points, k, tile);

  auto real_balls_per_fake = torch::zeros({m}, real_points.options().dtype(torch::kInt64));
  auto real_in_a_fake_ball = torch::zeros({n}, real_points.options().dtype(torch::kBool));
  auto nearest_fake = torch::full({n}, kInfinity, real_points.options());
  for (std::int64_t r0 = 0; r0 < n; r0 += tile) {
    const auto r1 = std::min(r0 + tile, n);
    for (std::int64_t c0 = 0; c0 < m; c0 += tile) {
      const auto c1 = std::min(c0 + tile, m);
      const auto block = real_points.sq_distances(r0, r1, fake_points, c0, c1);  // [real, fake]
      real_balls_per_fake.slice(0, c0, c1) += (block <= real_radii.slice(0, r0, r1).unsqueeze(1)).sum(0);
      real_in_a_fake_ball.slice(0, r0, r1) |= (block <= fake_radii.slice(0, c0, c1).unsqueeze(0)).any(1);
      auto nearest = nearest_fake.slice(0, r0, r1);
      nearest.copy_(torch::minimum(nearest, block.amin(1)));
    }
  }
  return {share(real_balls_per_fake > 0), share(real_in_a_fake_ball),
          real_balls_per_fake.sum().item<double>() / static_cast<double>(k * m), share(nearest_fake <= real_radii)};
}

}  // namespace retrain
