// FID: shifted float64 moment sums for the statistics, two symmetric eigendecompositions for tr sqrt(S1 S2).
#include "retrain/metrics/fid.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "retrain/core/errors.hpp"
#include "retrain/core/npz.hpp"

namespace retrain {

namespace {

// The symmetric positive semi-definite square root of a symmetric matrix (negative eigenvalues -> 0).
torch::Tensor psd_sqrt(const torch::Tensor& symmetric) {
  const auto [eigenvalues, eigenvectors] = torch::linalg_eigh(symmetric);
  return (eigenvectors * eigenvalues.clamp_min(0).sqrt()).matmul(eigenvectors.t());
}

void check_usable(const FeatureStats& stats, const char* which) {
  if (stats.count != FeatureStats::kUnknownCount && stats.count < 2)
    throw UsageError(fmt::format("FID: the {} set has {} feature vectors; its covariance needs at least 2", which,
                                 stats.count));
}

}  // namespace

void FeatureStatsAccumulator::add(const torch::Tensor& features) {
  if (features.dim() != 2)
    throw UsageError(fmt::format("feature statistics expect a [N, D] batch, got shape {}", c10::str(features.sizes())));
  if (shift_.defined() && features.size(1) != shift_.size(0))
    throw UsageError(fmt::format("feature statistics: a batch has {} features per vector, earlier batches had {}",
                                 features.size(1), shift_.size(0)));
  if (features.size(0) == 0) return;
  const auto x = features.detach().to(torch::kCPU, torch::kFloat64);
  if (!torch::isfinite(x).all().item<bool>()) throw UsageError("feature statistics: the features contain NaN or infinity");
  if (!shift_.defined()) {
    shift_ = x.mean(0);
    shifted_sum_ = torch::zeros_like(shift_);
    shifted_outer_ = torch::zeros({shift_.size(0), shift_.size(0)}, shift_.options());
  }
  const auto centred = x - shift_;
  shifted_sum_ += centred.sum(0);
  shifted_outer_.addmm_(centred.t(), centred);
  count_ += x.size(0);
}

FeatureStats FeatureStatsAccumulator::stats() const {
  if (count_ < 2)
    throw UsageError(fmt::format("feature statistics need at least 2 feature vectors, got {}", count_));
  const double n = static_cast<double>(count_);
  const auto mean_offset = shifted_sum_ / n;
  auto cov = (shifted_outer_ - torch::outer(shifted_sum_, mean_offset)) / (n - 1);
  return {shift_ + mean_offset, (cov + cov.t()) / 2, count_};
}

FeatureStats feature_stats(const torch::Tensor& features) {
  FeatureStatsAccumulator accumulator;
  accumulator.add(features);
  return accumulator.stats();
}

double fid(const FeatureStats& a, const FeatureStats& b) {
  check_usable(a, "first");
  check_usable(b, "second");
  if (a.mean.size(0) != b.mean.size(0))
    throw UsageError(fmt::format("FID: the sets have {} and {} features per vector; they must match", a.mean.size(0),
                                 b.mean.size(0)));
  const auto cov_a = a.cov.to(torch::kCPU, torch::kFloat64), cov_b = b.cov.to(torch::kCPU, torch::kFloat64);
  const auto mean_gap = a.mean.to(torch::kCPU, torch::kFloat64) - b.mean.to(torch::kCPU, torch::kFloat64);
  const auto root_a = psd_sqrt(cov_a);
  const auto m = root_a.matmul(cov_b).matmul(root_a);
  const double trace_sqrt = torch::linalg_eigvalsh((m + m.t()) / 2).clamp_min(0).sqrt().sum().item<double>();
  return mean_gap.dot(mean_gap).item<double>() + cov_a.trace().item<double>() + cov_b.trace().item<double>() -
         2 * trace_sqrt;
}

FeatureStats load_reference_stats(const std::filesystem::path& npz) {
  std::map<std::string, torch::Tensor> arrays;
  try {
    arrays = load_npz(npz);
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  const auto fail = [&](const std::string& why) {
    return UsageError(fmt::format("reference statistics '{}': {}", npz.string(), why));
  };
  std::string keys;
  for (const auto& [key, value] : arrays) keys += (keys.empty() ? "" : ", ") + key;
  for (const char* key : {"mu", "sigma"})
    if (!arrays.count(key))
      throw fail(fmt::format("no array '{}' (it holds: {}); expected mu [D] and sigma [D, D] as EDM's fid.py ref "
                             "and pytorch-fid --save-stats write them", key, keys.empty() ? "nothing" : keys));
  const auto& mu = arrays.at("mu");
  const auto& sigma = arrays.at("sigma");
  if (!mu.is_floating_point() || !sigma.is_floating_point())
    throw fail("mu and sigma must hold floating-point numbers");
  if (mu.dim() != 1 || mu.size(0) < 1 || sigma.dim() != 2 || sigma.size(0) != mu.size(0) || sigma.size(1) != mu.size(0))
    throw fail(fmt::format("mu has shape {} and sigma {}; expected [D] and [D, D]", c10::str(mu.sizes()),
                           c10::str(sigma.sizes())));
  FeatureStats stats{mu.to(torch::kFloat64).contiguous(), sigma.to(torch::kFloat64).contiguous(),
                     FeatureStats::kUnknownCount};
  if (!torch::isfinite(stats.mean).all().item<bool>() || !torch::isfinite(stats.cov).all().item<bool>())
    throw fail("mu or sigma holds NaN or infinity");
  if (arrays.count("count")) {
    const auto& count = arrays.at("count");
    if (count.scalar_type() != torch::kInt64 || count.numel() != 1 || count.item<std::int64_t>() < 2)
      throw fail("'count' must be one int64 >= 2");
    stats.count = count.item<std::int64_t>();
  }
  return stats;
}

void save_reference_stats(const std::filesystem::path& npz, const FeatureStats& stats) {
  std::vector<std::pair<std::string, torch::Tensor>> arrays{
      {"mu", stats.mean.to(torch::kCPU, torch::kFloat64)}, {"sigma", stats.cov.to(torch::kCPU, torch::kFloat64)}};
  if (stats.count != FeatureStats::kUnknownCount) arrays.emplace_back("count", torch::tensor(stats.count, torch::kLong));
  save_npz(npz, arrays);
}

FeatureStats real_set_stats(const torch::Tensor& features, const std::string& reference_stats) {
  if (reference_stats.empty()) return feature_stats(features);
  auto stats = load_reference_stats(reference_stats);
  if (stats.mean.size(0) != features.size(1))
    throw UsageError(fmt::format("eval.reference_stats '{}' holds statistics of {} features, but eval.extractor gives {}; "
                                 "they must come from the same network", reference_stats, stats.mean.size(0),
                                 features.size(1)));
  spdlog::info("FID against the reference statistics {}", reference_stats);
  return stats;
}

}  // namespace retrain
