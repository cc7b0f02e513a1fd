// Gaussian learner: fit, sample, closed-form metrics, safetensors state, per-replica parameter rows.
#include "retrain/learners/gaussian_learner.hpp"

#include <fmt/format.h>

#include <cmath>

#include "retrain/core/errors.hpp"
#include "retrain/core/safetensors.hpp"

namespace retrain {
namespace {

constexpr const char* kStateFile = "learner.safetensors";

// {name_mean, name_se}: mean over replicas and its standard error (0 for one replica).
void summarise(nlohmann::json& out, const std::string& name, const torch::Tensor& per_replica) {
  auto v = per_replica.to(torch::kCPU, torch::kFloat64);
  const auto r = v.numel();
  out[name + "_mean"] = v.mean().item<double>();
  out[name + "_se"] = r > 1 ? v.std().item<double>() / std::sqrt(static_cast<double>(r)) : 0.0;
}

}  // namespace

torch::Tensor sqrtm_psd(const torch::Tensor& a) {
  auto [w, v] = torch::linalg_eigh(a);
  return (v * w.clamp_min(0).sqrt().unsqueeze(-2)).matmul(v.transpose(-2, -1));
}

GaussianLearner::GaussianLearner(const GaussianSource& truth, std::int64_t replicas, torch::Device device)
    : truth_(truth), replicas_(replicas), device_(device) {}

std::pair<torch::Tensor, torch::Tensor> GaussianLearner::fit_moments(const torch::Tensor& data) {
  TORCH_CHECK(data.dim() == 3 && data.size(1) >= 2, "Gaussian fit needs data [R, N>=2, d], got ", data.sizes());
  auto mu = data.mean(1);
  auto centered = data - mu.unsqueeze(1);
  auto cov = centered.transpose(1, 2).matmul(centered) / static_cast<double>(data.size(1) - 1);
  return {mu, cov};
}

torch::Tensor GaussianLearner::scalar_std(const torch::Tensor& cov) {
  return (cov.diagonal(0, -2, -1).sum(-1) / static_cast<double>(cov.size(-1))).sqrt();
}

torch::Tensor GaussianLearner::w2_to(const torch::Tensor& mu, const torch::Tensor& cov, const torch::Tensor& m,
                                     const torch::Tensor& s) {
  auto s_half = sqrtm_psd(s.to(cov.device(), torch::kFloat64));
  auto cross = sqrtm_psd(s_half.matmul(cov).matmul(s_half));
  auto trace = (cov + s_half.matmul(s_half) - 2 * cross).diagonal(0, -2, -1).sum(-1);
  auto mean_term = (mu - m.to(mu.device(), torch::kFloat64)).pow(2).sum(-1);
  return (mean_term + trace).clamp_min(0).sqrt();
}

void GaussianLearner::fit(const SampleSet& data, const FitPlan& plan, at::Generator&) {
  TORCH_CHECK(data.x.size(0) == replicas_, "expected ", replicas_, " replicas, got ", data.x.size(0));
  std::tie(mu_, cov_) = fit_moments(data.x.to(device_, torch::kFloat64));
  if (plan.generation == 0) std0_ = scalar_std(cov_);
}

SampleSet GaussianLearner::sample(std::int64_t n, SampleNoise noise) {
  TORCH_CHECK(mu_.defined(), "GaussianLearner::sample before fit");
  // Sample-major draw, so per-sample noise gives sample i of every replica from seed i.
  auto z = noise.randn({n, replicas_, mu_.size(1)}, torch::TensorOptions().dtype(torch::kFloat64).device(device_))
               .transpose(0, 1);
  // Sigma^{1/2} is symmetric, so z @ Sigma^{1/2} draws rows with covariance Sigma.
  return {(mu_.unsqueeze(1) + z.matmul(sqrtm_psd(cov_))).cpu(), torch::Tensor()};
}

nlohmann::json GaussianLearner::evaluate(at::Generator&, const std::filesystem::path&) {
  nlohmann::json m = nlohmann::json::object();
  auto std_t = scalar_std(cov_);
  summarise(m, "std", std_t);
  summarise(m, "std_ratio", std_t / std0_);
  summarise(m, "w2", w2_to(mu_, cov_, truth_.mean(), truth_.cov()));
  summarise(m, "mean_error", (mu_ - truth_.mean().to(device_)).norm(2, -1));
  return m;
}

void GaussianLearner::save(const std::filesystem::path& dir) const {
  save_safetensors(dir / kStateFile, {{"mean", mu_}, {"cov", cov_}, {"std0", std0_}});
}

void GaussianLearner::load(const std::filesystem::path& dir) {
  const auto file = dir / kStateFile;
  auto t = load_safetensors(file);
  mu_ = require_tensor(t, "mean", file).to(device_);
  cov_ = require_tensor(t, "cov", file).to(device_);
  std0_ = require_tensor(t, "std0", file).to(device_);
  if (mu_.dim() != 2 || mu_.size(0) != replicas_ || mu_.size(1) != truth_.dim())
    throw CorruptFile(fmt::format("'{}' holds a mean of shape {}; this run expects [{}, {}]", file.string(),
                                         c10::str(mu_.sizes()), replicas_, truth_.dim()));
}

std::string GaussianLearner::report_header() const {
  const auto d = truth_.dim();
  std::string h = "generation,replica";
  for (std::int64_t i = 0; i < d; ++i) h += fmt::format(",mu_{}", i);
  for (std::int64_t i = 0; i < d; ++i)
    for (std::int64_t j = 0; j < d; ++j) h += fmt::format(",cov_{}_{}", i, j);
  return h;
}

std::string GaussianLearner::report_rows(std::int64_t generation) const {
  auto mu = mu_.cpu().contiguous(), cov = cov_.cpu().contiguous().reshape({replicas_, -1});
  const double* pm = mu.data_ptr<double>();
  const double* pc = cov.data_ptr<double>();
  const auto d = mu.size(1), dd = cov.size(1);
  std::string out;
  for (std::int64_t r = 0; r < replicas_; ++r) {
    out += fmt::format("{},{}", generation, r);
    for (std::int64_t i = 0; i < d; ++i) out += fmt::format(",{:.17g}", pm[r * d + i]);
    for (std::int64_t i = 0; i < dd; ++i) out += fmt::format(",{:.17g}", pc[r * dd + i]);
    out += '\n';
  }
  return out;
}

}  // namespace retrain
