// Frechet Inception Distance (Heusel et al. 2017) between two feature sets, in float64: per-set
// statistics (mean, unbiased covariance) accumulated in batches and the distance.
#pragma once
#include <torch/types.h>

#include <cstdint>
#include <filesystem>

namespace retrain {

// Mean [D] and unbiased covariance [D, D] (divided by count - 1) of `count` feature vectors; float64, CPU.
// count is kUnknownCount for statistics read from a file that does not record it.
struct FeatureStats {
  static constexpr std::int64_t kUnknownCount = -1;
  torch::Tensor mean;
  torch::Tensor cov;
  std::int64_t count = 0;
};

// Builds FeatureStats from feature batches, so 50k x 2048 features never have to be in memory at once.
// Sums are taken around a shift (the first batch's mean) in float64: the covariance stays accurate when
// the features' mean is large against their spread, where sum(x x^T) - n mu mu^T would cancel.
class FeatureStatsAccumulator {
 public:
  // features [B, D], any float dtype or device; every batch must have the D of the first. B = 0 is a no-op.
  void add(const torch::Tensor& features);
  std::int64_t count() const { return count_; }
  // Needs at least two vectors (the unbiased covariance divides by count - 1).
  FeatureStats stats() const;

 private:
  torch::Tensor shift_;          // [D]
  torch::Tensor shifted_sum_;    // [D]: sum of (x - shift)
  torch::Tensor shifted_outer_;  // [D, D]: sum of (x - shift)(x - shift)^T
  std::int64_t count_ = 0;
};

// One-shot FeatureStats of features [N, D], N >= 2.
FeatureStats feature_stats(const torch::Tensor& features);

// FID = |mu1 - mu2|^2 + tr S1 + tr S2 - 2 tr sqrt(S1 S2).
// tr sqrt(S1 S2) without a non-symmetric matrix square root: with A = S1^(1/2) (symmetric eigendecomposition,
// negative eigenvalues from round-off clamped to 0), S1 S2 = A (A S2) and M = (A S2) A = A S2 A. XY and YX
// have the same eigenvalues for any square X, Y, so S1 S2 has the eigenvalues of the symmetric positive
// semi-definite M, and the principal square root that scipy.linalg.sqrtm(S1 S2) computes has trace
// sum_i sqrt(lambda_i(M)) (eigenvalues below 0 from round-off clamped to 0). Throws UsageError when the
// dimensions differ or a set has fewer than two vectors (a count of kUnknownCount is accepted).
double fid(const FeatureStats& a, const FeatureStats& b);

// Reference statistics in NumPy's .npz format, as NVlabs/edm's `fid.py ref` and pytorch-fid's
// `--save-stats` write them: `mu` [D] and `sigma` [D, D] (any float dtype, read as float64; column-major
// accepted), plus `count` (a 0-d or 1-element int64) when present, which neither of them writes (the count
// is then kUnknownCount). UsageError naming the file when it is unreadable, lacks mu or sigma, or their
// shapes do not fit ([D] and [D, D], D >= 1) or hold NaN/infinity.
FeatureStats load_reference_stats(const std::filesystem::path& npz);
// Writes `mu` (float64 [D]), `sigma` (float64 [D, D]) and `count` (int64, 0-d; only when known) to an
// .npz (stored, as numpy.savez), atomically; numpy.load, EDM's fid.py calc --ref and pytorch-fid read it.
void save_reference_stats(const std::filesystem::path& npz, const FeatureStats& stats);

// The FID statistics of the real set: those of `features` [N, D], or, when `reference_stats` names an .npz
// (eval.reference_stats), the statistics it holds (load_reference_stats). UsageError naming the file when
// their dimension is not the features' D (statistics of another extractor).
FeatureStats real_set_stats(const torch::Tensor& features, const std::string& reference_stats);

}  // namespace retrain
