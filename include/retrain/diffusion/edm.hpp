// EDM (Karras et al. 2022): preconditioned denoiser D(x; sigma) = c_skip x + c_out F(c_in x; c_noise),
// log-normal training sigmas with loss weight (sigma^2 + sigma_data^2) / (sigma sigma_data)^2, and the
// deterministic/stochastic Euler and Heun samplers on the rho-schedule (the paper's Algorithm 2). The
// VP formulation of Song et al. 2021 in EDM's terms (Table 1, "VP") shares the samplers.
#pragma once
#include <functional>

#include "retrain/core/choices.hpp"
#include "retrain/diffusion/method.hpp"

namespace retrain {

enum class EdmSampler { euler, heun };

struct EdmOptions {
  EdmPreconditioning preconditioning = EdmPreconditioning::edm;
  double sigma_data = 0.5;             // edm: data std (images in [-1, 1]); toys may use 1.0
  double p_mean = -1.2, p_std = 1.2;   // edm: ln(sigma) ~ N(p_mean, p_std^2) in training
  // vp: sigma(t) = sqrt(exp(beta_d t^2 / 2 + beta_min t) - 1), training t ~ U(epsilon_t, 1), c_noise =
  // (M - 1) t; the sampler's sigma range is clipped to [sigma(epsilon_t), sigma(1)].
  double vp_beta_d = 19.9, vp_beta_min = 0.1, vp_m = 1000, vp_epsilon_t = 1e-5;
  EdmSampler sampler = EdmSampler::heun;
  std::int64_t num_steps = 18;
  double sigma_min = 0.002, sigma_max = 80.0, rho = 7.0;
  double s_churn = 0.0, s_min = 0.0, s_noise = 1.0;
  double s_max = 1e9;  // churn only for sigma <= s_max; EDM's reference uses infinity, any sigma here is below
  bool operator==(const EdmOptions&) const = default;
};

class EdmMethod final : public Method {
 public:
  // Table 1's preconditioning, each [N] in sigma's dtype.
  struct Preconditioning {
    torch::Tensor c_skip, c_out, c_in, c_noise;
  };

  explicit EdmMethod(const EdmOptions& options = {});

  // weight(sigma) * |D(x0 + sigma n; sigma) - x0|^2 summed over the non-batch dims, per sample (the
  // Trainer's batch mean then gives EDM's "sum over pixels, mean over the batch").
  torch::Tensor keyed_loss(Denoiser& net, const torch::Tensor& x0, const torch::Tensor& labels, at::Generator& gen,
                           const torch::Tensor& keys) const override;
  torch::Tensor sample(Denoiser& net, std::vector<std::int64_t> shape, const torch::Tensor& labels,
                       SampleNoise noise) const override;

  Preconditioning preconditioning(const torch::Tensor& sigma) const;
  // D(x; sigma) in x's dtype; sigma [N]. `guided`: with classifier-free guidance (sampling).
  torch::Tensor denoise(Denoiser& net, const torch::Tensor& x, const torch::Tensor& sigma, const torch::Tensor& labels,
                        bool guided = false) const;
  // vp: sigma(t) and its inverse (elementwise).
  torch::Tensor vp_sigma(const torch::Tensor& t) const;
  torch::Tensor vp_sigma_inv(const torch::Tensor& sigma) const;
  // The sampler's noise levels t_0 > ... > t_{num_steps-1} followed by t_N = 0 (float64, CPU); for vp
  // the range is first clipped to what the formulation was trained on.
  torch::Tensor time_steps() const;
  const EdmOptions& options() const { return options_; }

 private:
  // D(x; sigma) = c_skip x + c_out F(c_in x, c_noise) for a network call F(x_in, noise_level).
  torch::Tensor precondition(const std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&)>& network,
                             const torch::Tensor& x, const torch::Tensor& sigma) const;

  EdmOptions options_;
};

}  // namespace retrain
