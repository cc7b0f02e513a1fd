// Energy distance from three chunked mean pairwise distances.
#include "retrain/metrics/energy_distance.hpp"

#include <algorithm>

namespace retrain {

namespace {
constexpr std::int64_t kPairsPerChunk = std::int64_t{1} << 22;  // 32 MB of float64 distances per chunk
constexpr std::int64_t kNoMatmul = 2;                          // cdist compute_mode: exact differences, no x.y trick
}  // namespace

double mean_pairwise_distance(const torch::Tensor& x, const torch::Tensor& y) {
  TORCH_CHECK(x.dim() == 2 && y.dim() == 2 && x.size(1) == y.size(1) && x.size(0) > 0 && y.size(0) > 0,
              "mean_pairwise_distance expects non-empty [N, D] and [M, D], got ", x.sizes(), " and ", y.sizes());
  const auto xd = x.to(torch::kFloat64).cpu().contiguous();
  const auto yd = y.to(torch::kFloat64).cpu().contiguous();
  const auto rows = std::max<std::int64_t>(1, kPairsPerChunk / yd.size(0));
  double total = 0.0;
  for (std::int64_t start = 0; start < xd.size(0); start += rows) {
    const auto chunk = xd.slice(0, start, std::min(start + rows, xd.size(0)));
    total += at::cdist(chunk, yd, 2.0, kNoMatmul).sum().item<double>();
  }
  return total / (static_cast<double>(xd.size(0)) * static_cast<double>(yd.size(0)));
}

double energy_distance(const torch::Tensor& x, const torch::Tensor& y) {
  return 2 * mean_pairwise_distance(x, y) - mean_pairwise_distance(x, x) - mean_pairwise_distance(y, y);
}

}  // namespace retrain
