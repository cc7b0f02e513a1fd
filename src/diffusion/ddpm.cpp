// DDPM: schedule, epsilon loss, ancestral and DDIM samplers (time-step math in float64).
#include "retrain/diffusion/ddpm.hpp"

#include <fmt/format.h>

#include <cmath>

#include "retrain/core/errors.hpp"
#include "retrain/ops/affine_mix.hpp"

namespace retrain {

DdpmMethod::DdpmMethod(const DdpmOptions& options) : options_(options) {
  const auto T = options.num_timesteps;
  if (T < 1) throw UsageError(fmt::format("DDPM: num_timesteps = {} is invalid; expected >= 1", T));
  if (!(options.beta_start > 0 && options.beta_start <= options.beta_end && options.beta_end < 1))
    throw UsageError(fmt::format("DDPM: betas {}..{} are invalid; expected 0 < beta_start <= beta_end < 1",
                                 options.beta_start, options.beta_end));
  if (options.ddim_steps < 1 || options.ddim_steps > T)
    throw UsageError(fmt::format("DDPM: ddim_steps = {} is invalid; expected 1..{}", options.ddim_steps, T));
  if (options.ddim_eta < 0) throw UsageError(fmt::format("DDPM: ddim_eta = {} is invalid; expected >= 0", options.ddim_eta));
  betas_ = torch::linspace(options.beta_start, options.beta_end, T, torch::kFloat64);
  alpha_bar_ = torch::cumprod(1.0 - betas_, 0);
  beta_.assign(betas_.data_ptr<double>(), betas_.data_ptr<double>() + T);
  abar_.assign(alpha_bar_.data_ptr<double>(), alpha_bar_.data_ptr<double>() + T);
}

torch::Tensor DdpmMethod::loss(Denoiser& net, const torch::Tensor& x0, const torch::Tensor& labels,
                               at::Generator& gen) const {
  const auto n = x0.size(0);
  auto t = at::randint(options_.num_timesteps, {n}, gen, torch::kLong);
  auto eps = randn(x0.sizes(), gen, x0.options());
  auto abar = alpha_bar_.index_select(0, t).to(x0.device());
  auto x_t = ops::affine_mix(x0, abar.sqrt(), eps, (1.0 - abar).sqrt());
  auto eps_hat = evaluate(net, x_t, t.to(torch::kFloat32), labels);
  return (eps_hat - eps).square().flatten(1).mean(1);
}

std::pair<torch::Tensor, torch::Tensor> DdpmMethod::predict(Denoiser& net, const torch::Tensor& x, std::int64_t t,
                                                            const torch::Tensor& labels) const {
  auto eps_hat = evaluate(net, x, torch::full({x.size(0)}, static_cast<double>(t), x.options()), labels);
  auto x0_hat = (x - std::sqrt(1.0 - abar_[t]) * eps_hat) / std::sqrt(abar_[t]);
  if (options_.clip_x0 > 0) x0_hat = x0_hat.clamp(-options_.clip_x0, options_.clip_x0);
  return {eps_hat, x0_hat};
}

torch::Tensor DdpmMethod::ancestral_step(Denoiser& net, const torch::Tensor& x, std::int64_t t,
                                         const torch::Tensor& labels, at::Generator& gen) const {
  // Posterior q(x_{t-1} | x_t, x0_hat): mean = c_x0 x0_hat + c_xt x_t (Ho et al. eq. 7).
  const double abar_prev = t > 0 ? abar_[t - 1] : 1.0;
  const double c_x0 = beta_[t] * std::sqrt(abar_prev) / (1.0 - abar_[t]);
  const double c_xt = (1.0 - abar_prev) * std::sqrt(1.0 - beta_[t]) / (1.0 - abar_[t]);
  auto x0_hat = predict(net, x, t, labels).second;
  auto mean = c_x0 * x0_hat + c_xt * x;
  if (t == 0) return mean;
  const double var = options_.variance == DdpmVariance::fixed_large ? beta_[t]
                                                                    : beta_[t] * (1.0 - abar_prev) / (1.0 - abar_[t]);
  return mean + std::sqrt(var) * randn(x.sizes(), gen, x.options());
}

torch::Tensor DdpmMethod::ddim_step(Denoiser& net, const torch::Tensor& x, std::int64_t t, std::int64_t t_prev,
                                    const torch::Tensor& labels, at::Generator& gen) const {
  const double a_t = abar_[t];
  const double a_prev = t_prev >= 0 ? abar_[t_prev] : 1.0;
  const double sigma = options_.ddim_eta * std::sqrt((1.0 - a_prev) / (1.0 - a_t) * (1.0 - a_t / a_prev));
  auto [eps_hat, x0_hat] = predict(net, x, t, labels);
  auto x_prev = std::sqrt(a_prev) * x0_hat + std::sqrt(std::max(1.0 - a_prev - sigma * sigma, 0.0)) * eps_hat;
  if (sigma > 0) x_prev = x_prev + sigma * randn(x.sizes(), gen, x.options());
  return x_prev;
}

torch::Tensor DdpmMethod::sample(Denoiser& net, std::vector<std::int64_t> shape, const torch::Tensor& labels,
                                 at::Generator& gen) const {
  torch::NoGradGuard no_grad;
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64).device(net.device());
  auto x = randn(shape, gen, opts);
  const auto T = options_.num_timesteps;
  if (options_.sampler == DdpmSampler::ancestral) {
    for (auto t = T - 1; t >= 0; --t) x = ancestral_step(net, x, t, labels, gen);
  } else {
    const auto S = options_.ddim_steps;
    for (auto i = S - 1; i >= 0; --i) x = ddim_step(net, x, i * T / S, i > 0 ? (i - 1) * T / S : -1, labels, gen);
  }
  return x.to(torch::kFloat32);
}

}  // namespace retrain
