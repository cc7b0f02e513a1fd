// DDPM: schedule, epsilon loss, ancestral and DDIM samplers (time-step math in float64).
#include "retrain/diffusion/ddpm.hpp"

#include <fmt/format.h>

#include <cmath>

#include "retrain/core/require.hpp"
#include "retrain/diffusion/method_options.hpp"
#include "retrain/core/nvtx.hpp"
#include "retrain/ops/combine.hpp"

namespace retrain {

DdpmMethod::DdpmMethod(const DdpmOptions& options) : options_(options) {
  const auto T = options.num_timesteps;
  check_ranges(ddpm_option_table(), options, "DDPM");  // the method.ddpm.* keys' ranges
  require(options.beta_end >= options.beta_start, "DDPM", "beta_end", options.beta_end,
          fmt::format(">= beta_start = {}", options.beta_start));
  require(options.ddim_steps >= 1 && options.ddim_steps <= T, "DDPM", "ddim_steps", options.ddim_steps,
          fmt::format("in 1..{}", T));
  betas_ = torch::linspace(options.beta_start, options.beta_end, T, torch::kFloat64);
  alpha_bar_ = torch::cumprod(1.0 - betas_, 0);
  beta_.assign(betas_.data_ptr<double>(), betas_.data_ptr<double>() + T);
  abar_.assign(alpha_bar_.data_ptr<double>(), alpha_bar_.data_ptr<double>() + T);
}

torch::Tensor DdpmMethod::keyed_loss(Denoiser& net, const torch::Tensor& x0, const torch::Tensor& labels,
                                     at::Generator& gen, const torch::Tensor& keys) const {
  const auto n = x0.size(0);
  auto t = at::randint(options_.num_timesteps, {n}, gen, torch::kLong);
  auto abar = alpha_bar_.index_select(0, t).to(x0.device());
  // sqrt(abar) x0 + sqrt(1 - abar) eps in one pass; eps is made in the kernel and returned as the target.
  auto [x_t, eps] = ops::combine_returning_noise({{x0, abar.sqrt()}}, ops::Noise{keys, /*draw=*/0, (1.0 - abar).sqrt()});
  auto eps_hat = evaluate(net, x_t, t.to(torch::kFloat32), labels);
  return (eps_hat - eps).square().flatten(1).mean(1);
}

std::pair<torch::Tensor, torch::Tensor> DdpmMethod::predict(ops::GraphedCall& network, const torch::Tensor& x,
                                                            std::int64_t t) const {
  auto eps_hat = network({x, torch::full({x.size(0)}, static_cast<double>(t), x.options())});
  auto x0_hat = (x - std::sqrt(1.0 - abar_[t]) * eps_hat) / std::sqrt(abar_[t]);
  if (options_.clip_x0 > 0) x0_hat = x0_hat.clamp(-options_.clip_x0, options_.clip_x0);
  return {eps_hat, x0_hat};
}

torch::Tensor DdpmMethod::ancestral_step(ops::GraphedCall& network, const torch::Tensor& x, std::int64_t t,
                                         SampleNoise& noise) const {
  // Posterior q(x_{t-1} | x_t, x0_hat): mean = c_x0 x0_hat + c_xt x_t (Ho et al. eq. 7).
  const double abar_prev = t > 0 ? abar_[t - 1] : 1.0;
  const double c_x0 = beta_[t] * std::sqrt(abar_prev) / (1.0 - abar_[t]);
  const double c_xt = (1.0 - abar_prev) * std::sqrt(1.0 - beta_[t]) / (1.0 - abar_[t]);
  auto x0_hat = predict(network, x, t).second;
  const std::vector<ops::Term> mean{{x0_hat, per_row(c_x0, x)}, {x, per_row(c_xt, x)}};
  if (t == 0) return ops::combine(mean);
  const double var = options_.variance == DdpmVariance::fixed_large ? beta_[t]
                                                                    : beta_[t] * (1.0 - abar_prev) / (1.0 - abar_[t]);
  return noise.combine_with_draw(mean, per_row(std::sqrt(var), x));
}

torch::Tensor DdpmMethod::ddim_step(ops::GraphedCall& network, const torch::Tensor& x, std::int64_t t,
                                    std::int64_t t_prev, SampleNoise& noise) const {
  const double a_t = abar_[t];
  const double a_prev = t_prev >= 0 ? abar_[t_prev] : 1.0;
  const double sigma = options_.ddim_eta * std::sqrt((1.0 - a_prev) / (1.0 - a_t) * (1.0 - a_t / a_prev));
  auto [eps_hat, x0_hat] = predict(network, x, t);
  const std::vector<ops::Term> terms{{x0_hat, per_row(std::sqrt(a_prev), x)},
                                     {eps_hat, per_row(std::sqrt(std::max(1.0 - a_prev - sigma * sigma, 0.0)), x)}};
  return sigma > 0 ? noise.combine_with_draw(terms, per_row(sigma, x)) : ops::combine(terms);
}

std::vector<std::int64_t> DdpmMethod::ddim_timesteps() const {
  const auto T = options_.num_timesteps, S = options_.ddim_steps;
  std::vector<std::int64_t> steps;
  for (std::int64_t i = 0; i < S; ++i) {
    std::int64_t t = i * T / S;
    if (options_.ddim_schedule == DdimSchedule::quadratic && S > 1)
      t = static_cast<std::int64_t>(std::floor(std::pow(std::sqrt(0.8 * static_cast<double>(T)) * static_cast<double>(i) /
                                                            static_cast<double>(S - 1), 2)));
    if (steps.empty() || t > steps.back()) steps.push_back(std::min(t, T - 1));
  }
  return steps;
}

torch::Tensor DdpmMethod::sample(Denoiser& net, std::vector<std::int64_t> shape, const torch::Tensor& labels,
                                 SampleNoise noise) const {
  torch::NoGradGuard no_grad;
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64).device(net.device());
  auto x = noise.randn(shape, opts);
  auto network = sampler_network(net, labels);
  const auto T = options_.num_timesteps;
  if (options_.sampler == DdpmSampler::ancestral) {
    for (auto t = T - 1; t >= 0; --t) {
      const NvtxRange range("sampler step");
      x = ancestral_step(network, x, t, noise);
    }
  } else {
    const auto steps = ddim_timesteps();
    for (auto i = static_cast<std::int64_t>(steps.size()) - 1; i >= 0; --i) {
      const NvtxRange range("sampler step");
      x = ddim_step(network, x, steps[i], i > 0 ? steps[i - 1] : -1, noise);
    }
  }
  return x.to(torch::kFloat32);
}

}  // namespace retrain
