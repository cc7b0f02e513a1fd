// The Gaussian learner of paper 1 (section 2.2, eq. 3-4): maximum-likelihood mean and unbiased
// covariance, fitted independently for R replicas at once; sampling x = mu + Sigma^{1/2} z.
#pragma once
#include "retrain/data/gaussian_source.hpp"
#include "retrain/learners/learner.hpp"

namespace retrain {

class GaussianLearner final : public Learner {
 public:
  GaussianLearner(const GaussianSource& truth, std::int64_t replicas, torch::Device device);

  void fit(const SampleSet& data, const FitPlan& plan, at::Generator& gen) override;
  SampleSet sample(std::int64_t n, SampleNoise noise) override;
  nlohmann::json evaluate(at::Generator& gen, const std::filesystem::path& out_dir) override;
  void save(const std::filesystem::path& dir) const override;
  void load(const std::filesystem::path& dir) override;
  std::string report_name() const override { return "gaussian_params.csv"; }
  std::string report_header() const override;
  std::string report_rows(std::int64_t generation) const override;

  const torch::Tensor& mean() const { return mu_; }   // [R, d]
  const torch::Tensor& cov() const { return cov_; }   // [R, d, d]

  // Sample mean and 1/(N-1) covariance of data [R, N, d] (paper 1 eq. 3-4).
  static std::pair<torch::Tensor, torch::Tensor> fit_moments(const torch::Tensor& data);
  // sqrt(trace(cov)/d) per replica.
  static torch::Tensor scalar_std(const torch::Tensor& cov);
  // Closed-form W2 between N(mu, cov) [R,d],[R,d,d] and N(m, s) [d],[d,d], per replica.
  static torch::Tensor w2_to(const torch::Tensor& mu, const torch::Tensor& cov, const torch::Tensor& m,
                             const torch::Tensor& s);

 private:
  const GaussianSource& truth_;
  std::int64_t replicas_;
  torch::Device device_;
  torch::Tensor mu_, cov_, std0_;  // std0_: generation 0's scalar std per replica
};

// Symmetric PSD square root through an eigendecomposition (negative round-off eigenvalues clamped).
torch::Tensor sqrtm_psd(const torch::Tensor& a);

}  // namespace retrain
