// EDM: preconditioning, loss, and the Euler/Heun samplers with optional churn (float64 time steps).
#include "retrain/diffusion/edm.hpp"

#include <fmt/format.h>

#include <cmath>

#include "retrain/core/require.hpp"
#include "retrain/diffusion/method_options.hpp"
#include "retrain/core/nvtx.hpp"
#include "retrain/ops/combine.hpp"
#include "retrain/ops/philox_noise.hpp"

namespace retrain {

EdmMethod::EdmMethod(const EdmOptions& options) : options_(options) {
  const auto& o = options;
  check_ranges(edm_option_table(), o, "EDM");  // the method.edm.* keys' ranges
  require(o.num_steps >= 1, "EDM", "num_steps", o.num_steps, ">= 1");
  require(o.sigma_max > o.sigma_min, "EDM", "sigma_max", o.sigma_max, fmt::format("> sigma_min = {}", o.sigma_min));
}

torch::Tensor EdmMethod::vp_sigma(const torch::Tensor& t) const {
  return ((0.5 * options_.vp_beta_d * t.square() + options_.vp_beta_min * t).exp() - 1).sqrt();
}

torch::Tensor EdmMethod::vp_sigma_inv(const torch::Tensor& sigma) const {
  const double bmin = options_.vp_beta_min, bd = options_.vp_beta_d;
  return ((bmin * bmin + 2 * bd * sigma.square().log1p()).sqrt() - bmin) / bd;
}

EdmMethod::Preconditioning EdmMethod::preconditioning(const torch::Tensor& sigma) const {
  if (options_.preconditioning == EdmPreconditioning::vp)
    return {torch::ones_like(sigma), -sigma, (sigma.square() + 1).rsqrt(), (options_.vp_m - 1) * vp_sigma_inv(sigma)};
  const double sd = options_.sigma_data;
  auto norm = (sigma.square() + sd * sd).rsqrt();  // 1 / sqrt(sigma^2 + sigma_data^2)
  return {sd * sd * norm.square(), sigma * sd * norm, norm, sigma.log() / 4};
}

torch::Tensor EdmMethod::precondition(
    const std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>& network, const torch::Tensor& x,
    const torch::Tensor& sigma) const {
  const auto c = preconditioning(sigma.to(x.options()));
  return ops::affine_mix(x, c.c_skip, network(x * per_sample(c.c_in, x), c.c_noise), c.c_out);
}

torch::Tensor EdmMethod::denoise(Denoiser& net, const torch::Tensor& x, const torch::Tensor& sigma,
                                 const torch::Tensor& labels, bool guided) const {
  return precondition(
      [&](const torch::Tensor& x_in, const torch::Tensor& level) {
        return guided ? evaluate_guided(net, x_in, level, labels) : evaluate(net, x_in, level, labels);
      },
      x, sigma);
}

torch::Tensor EdmMethod::keyed_loss(Denoiser& net, const torch::Tensor& x0, const torch::Tensor& labels,
                                    at::Generator& gen, const torch::Tensor& keys) const {
  const auto n = x0.size(0);
  torch::Tensor sigma, weight;
  if (options_.preconditioning == EdmPreconditioning::vp) {
    auto u = at::rand({n}, gen, torch::TensorOptions().dtype(x0.scalar_type())).to(x0.device());
    sigma = vp_sigma(1 + u * (options_.vp_epsilon_t - 1));
    weight = sigma.square().reciprocal();
  } else {
    const double sd = options_.sigma_data;
    sigma = (ops::philox_normal(keys, /*draw=*/1, {n}, x0.options()) * options_.p_std + options_.p_mean).exp();
    weight = (sigma.square() + sd * sd) / (sigma * sd).square();
  }
  // x0 + sigma n in one pass, n drawn inside the kernel (draw 0 of the batch's keys).
  auto x_noisy = ops::combine({{x0, torch::ones_like(sigma)}}, ops::Noise{keys, /*draw=*/0, sigma});
  auto d = denoise(net, x_noisy, sigma, labels);
  return weight * (d - x0).square().flatten(1).sum(1);
}

torch::Tensor EdmMethod::time_steps() const {
  auto o = options_;
  if (o.preconditioning == EdmPreconditioning::vp) {
    const auto range = vp_sigma(torch::tensor({o.vp_epsilon_t, 1.0}, torch::kFloat64));
    o.sigma_min = std::max(o.sigma_min, range[0].item<double>());
    o.sigma_max = std::min(o.sigma_max, range[1].item<double>());
  }
  const double inv_rho = 1.0 / o.rho;
  auto i = torch::arange(o.num_steps, torch::kFloat64);
  auto frac = o.num_steps > 1 ? i / static_cast<double>(o.num_steps - 1) : i;
  auto t = (std::pow(o.sigma_max, inv_rho) + frac * (std::pow(o.sigma_min, inv_rho) - std::pow(o.sigma_max, inv_rho)))
               .pow(o.rho);
  return torch::cat({t, torch::zeros({1}, torch::kFloat64)});
}

torch::Tensor EdmMethod::sample(Denoiser& net, std::vector<std::int64_t> shape, const torch::Tensor& labels,
                                SampleNoise noise) const {
  torch::NoGradGuard no_grad;
  const auto& o = options_;
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64).device(net.device());
  const auto steps = time_steps();
  const double* t = steps.data_ptr<double>();
  const auto n = shape.at(0);
  auto sigma_of = [&](double s) { return torch::full({n}, s, opts); };
  auto network = sampler_network(net, labels);
  const auto denoised_at = [&](const torch::Tensor& x, double sigma) {
    return precondition([&](const torch::Tensor& x_in, const torch::Tensor& level) { return network({x_in, level}); }, x,
                        sigma_of(sigma));
  };
  auto x_next = noise.randn(shape, opts) * t[0];
  for (std::int64_t i = 0; i < o.num_steps; ++i) {
    const NvtxRange range("sampler step");
    const double t_cur = t[i], t_next = t[i + 1];
    auto x_cur = x_next;
    // Churn: raise the noise level from t_cur to t_hat by adding fresh noise.
    const double gamma = (o.s_min <= t_cur && t_cur <= o.s_max)
                             ? std::min(o.s_churn / static_cast<double>(o.num_steps), std::sqrt(2.0) - 1.0)
                             : 0.0;
    const double t_hat = t_cur + gamma * t_cur;
    // generate.py draws the churn noise at every step (times 0 where gamma is 0); torch-mode noise keeps
    // its stream in step with it.
    const bool draw = gamma > 0 || (o.s_churn > 0 && noise.generate_py_order());
    auto x_hat = draw ? noise.combine_with_draw({{x_cur, sigma_of(1.0)}},
                                                sigma_of(std::sqrt(t_hat * t_hat - t_cur * t_cur) * o.s_noise))
                      : x_cur;
    // Euler step from t_hat to t_next: x_hat + h (x_hat - D) / t_hat, h = t_next - t_hat, fused.
    const double h = t_next - t_hat;
    const auto denoised = denoised_at(x_hat, t_hat);
    x_next = ops::affine_mix(x_hat, sigma_of(1.0 + h / t_hat), denoised, sigma_of(-h / t_hat));
    // Heun's 2nd-order correction, except on the last step (to sigma = 0):
    // x_hat + h/2 (d_cur + d'), d' = (x_next - D') / t_next, written as one combination of x_hat, D, D'.
    if (o.sampler == EdmSampler::heun && i < o.num_steps - 1) {
      const auto denoised_next = denoised_at(x_next, t_next);
      const double a = h / (2.0 * t_hat), b = h / (2.0 * t_next);
      x_next = ops::combine({{x_hat, sigma_of(1.0 + a + b * (1.0 + h / t_hat))},
                             {denoised, sigma_of(-a - b * h / t_hat)},
                             {denoised_next, sigma_of(-b)}});
    }
  }
  return x_next.to(torch::kFloat32);
}

}  // namespace retrain
