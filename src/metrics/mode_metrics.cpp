// Mode statistics: nearest-centre assignment, 3-sigma truncation, per-mode counts, means and second moments,
// and the spread of each covered mode about its own mean recovered from its truncated second moment.
#include "retrain/metrics/mode_metrics.hpp"

#include <cmath>
#include <limits>

namespace retrain {

namespace {

constexpr double kRadius = 3.0;        // "near" radius, in units of the true std
constexpr double kMaxRatio = 4.0;      // spreads beyond this fill the near disc almost uniformly
constexpr std::int64_t kNoMatmul = 2;  // cdist compute_mode: exact differences (points at a centre give 0)

// E[r^2 | r <= a] / sigma^2 for a 2-D isotropic Gaussian of std sigma = t (a in units of the true std):
// r^2 / (2 t^2) is Exp(1), so with u = a^2 / (2 t^2) the truncated mean is a^2 (1/u - 1/(e^u - 1)).
double truncated_second_moment(double t) {
  if (t <= 0) return 0.0;
  const double u = kRadius * kRadius / (2 * t * t);
  return kRadius * kRadius * (1 / u - 1 / std::expm1(u));
}

// The std ratio t in [0, kMaxRatio] whose truncated second moment is `q` (monotone in t: bisection).
double ratio_from_second_moment(double q) {
  double lo = 0.0, hi = kMaxRatio;
  if (q <= 0) return 0.0;
  if (q >= truncated_second_moment(hi)) return hi;
  for (int i = 0; i < 100; ++i) {
    const double mid = (lo + hi) / 2;
    if (truncated_second_moment(mid) < q)
      lo = mid;
    else
      hi = mid;
  }
  return (lo + hi) / 2;
}

}  // namespace

ModeStatistics mode_statistics(const torch::Tensor& samples, const torch::Tensor& centers, double true_std,
                               double min_share) {
  TORCH_CHECK(samples.dim() == 2 && samples.size(1) == 2 && samples.size(0) > 0,
              "mode_statistics expects samples [N, 2], got ", samples.sizes());
  TORCH_CHECK(centers.dim() == 2 && centers.size(1) == 2 && centers.size(0) > 0,
              "mode_statistics expects centers [K, 2], got ", centers.sizes());
  TORCH_CHECK(true_std > 0, "mode_statistics: true_std must be > 0, got ", true_std);
  const auto x = samples.to(torch::kFloat64).cpu();
  const auto c = centers.to(torch::kFloat64).cpu();
  const auto n = x.size(0), k = c.size(0);

  const auto [dist, nearest] = at::cdist(x, c, 2.0, kNoMatmul).min(1);
  const auto near = dist <= kRadius * true_std;
  const auto mode = nearest.masked_select(near);
  const auto offsets = (x - c.index_select(0, nearest)).index({near});  // near samples minus their centre
  const auto counts = torch::zeros({k}, x.options()).index_add_(0, mode, torch::ones_like(mode, x.options()));
  const auto sq_sums = torch::zeros({k}, x.options()).index_add_(0, mode, offsets.square().sum(1));
  const auto offset_sums = torch::zeros({k, 2}, x.options()).index_add_(0, mode, offsets);

  const double needed = std::max(1.0, min_share * static_cast<double>(n) / static_cast<double>(k));
  const auto covered = counts >= needed;
  ModeStatistics out;
  out.modes_covered = covered.sum().item<std::int64_t>();
  out.coverage = static_cast<double>(out.modes_covered) / static_cast<double>(k);
  out.within_3sigma = near.to(torch::kFloat64).mean().item<double>();
  if (out.modes_covered == 0) {
    out.std_ratio = out.offset = std::numeric_limits<double>::quiet_NaN();
    return out;
  }
  const auto n_k = counts.masked_select(covered).unsqueeze(1);
  const auto mean_offset = offset_sums.index({covered}) / n_k;                  // [covered, 2]
  const auto centred = sq_sums.masked_select(covered) / n_k.squeeze(1) - mean_offset.square().sum(1);
  const auto moments = (centred.clamp_min(0) / (true_std * true_std)).contiguous();
  double sum = 0.0;
  for (std::int64_t i = 0; i < moments.numel(); ++i) sum += ratio_from_second_moment(moments.data_ptr<double>()[i]);
  out.std_ratio = sum / static_cast<double>(moments.numel());
  out.offset = (mean_offset.norm(2, 1) / true_std).mean().item<double>();
  return out;
}

}  // namespace retrain
