// Sliced Wasserstein-2: project on random unit directions, sort, integrate the squared quantile gap.
#include "retrain/metrics/sliced_wasserstein.hpp"

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>

namespace retrain {

torch::Tensor wasserstein2_squared_1d(const torch::Tensor& a, const torch::Tensor& b) {
  TORCH_CHECK(a.dim() == 2 && b.dim() == 2 && a.size(0) == b.size(0) && a.size(1) > 0 && b.size(1) > 0,
              "wasserstein2_squared_1d expects [P, N] and [P, M] with N, M > 0, got ", a.sizes(), " and ", b.sizes());
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  const auto sa = std::get<0>(a.to(torch::kFloat64).cpu().sort(1));
  const auto sb = std::get<0>(b.to(torch::kFloat64).cpu().sort(1));
  if (sa.size(1) == sb.size(1)) return (sa - sb).square().mean(1);
  const double n = static_cast<double>(sa.size(1)), m = static_cast<double>(sb.size(1));
  // Both quantile functions are constant between consecutive points of {i / N} U {j / M}.
  const auto ends = std::get<0>(
      torch::cat({torch::arange(1, sa.size(1) + 1, opts) / n, torch::arange(1, sb.size(1) + 1, opts) / m}).sort());
  const auto starts = torch::cat({torch::zeros({1}, opts), ends.slice(0, 0, -1)});
  const auto widths = ends - starts;
  const auto mid = (starts + ends) / 2;
  const auto ia = (mid * n).floor().to(torch::kLong).clamp_max(sa.size(1) - 1);
  const auto ib = (mid * m).floor().to(torch::kLong).clamp_max(sb.size(1) - 1);
  return ((sa.index_select(1, ia) - sb.index_select(1, ib)).square() * widths).sum(1);
}

double sliced_wasserstein2(const torch::Tensor& x, const torch::Tensor& y, std::int64_t num_projections,
                           std::uint64_t seed) {
  TORCH_CHECK(x.dim() == 2 && y.dim() == 2 && x.size(1) == y.size(1), "sliced_wasserstein2 expects [N, D] and [M, D], got ",
              x.sizes(), " and ", y.sizes());
  TORCH_CHECK(num_projections > 0, "sliced_wasserstein2: num_projections must be > 0, got ", num_projections);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  auto theta = at::randn({x.size(1), num_projections}, gen, torch::TensorOptions().dtype(torch::kFloat64));
  theta = theta / theta.norm(2, 0, /*keepdim=*/true);
  const auto px = x.to(torch::kFloat64).cpu().matmul(theta).t();  // [P, N]
  const auto py = y.to(torch::kFloat64).cpu().matmul(theta).t();  // [P, M]
  return std::sqrt(wasserstein2_squared_1d(px, py).mean().item<double>());
}

}  // namespace retrain
