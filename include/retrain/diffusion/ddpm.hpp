// DDPM (Ho et al. 2020): epsilon prediction with a linear beta schedule; the network sees the integer
// step t (0-based) as a float. Samplers: ancestral (fixed-large or fixed-small variance) and DDIM
// (Song et al. 2021) with eta and linear (t_i = floor(i T / S)) or quadratic step selection.
#pragma once
#include "retrain/core/choices.hpp"
#include "retrain/diffusion/method.hpp"

namespace retrain {

enum class DdpmSampler { ancestral, ddim };

struct DdpmOptions {
  std::int64_t num_timesteps = 1000;  // T
  double beta_start = 1e-4, beta_end = 0.02;
  DdpmSampler sampler = DdpmSampler::ancestral;
  DdpmVariance variance = DdpmVariance::fixed_large;  // ancestral sampler only
  std::int64_t ddim_steps = 50;                       // S, 1 <= S <= T
  double ddim_eta = 0.0;                              // 0: deterministic DDIM; 1: ancestral-like
  DdimSchedule ddim_schedule = DdimSchedule::linear;
  double clip_x0 = 0.0;  // > 0: clamp the predicted x0 to [-clip_x0, clip_x0] while sampling (images: 1)
  bool operator==(const DdpmOptions&) const = default;
};

class DdpmMethod final : public Method {
 public:
  explicit DdpmMethod(const DdpmOptions& options = {});

  // Mean over non-batch dims of (eps_hat - eps)^2 with t ~ U{0..T-1} (the "simple" loss).
  torch::Tensor keyed_loss(Denoiser& net, const torch::Tensor& x0, const torch::Tensor& labels, at::Generator& gen,
                           const torch::Tensor& keys) const override;
  torch::Tensor sample(Denoiser& net, std::vector<std::int64_t> shape, const torch::Tensor& labels,
                       SampleNoise noise) const override;
  // The DDIM sampler's steps, increasing (starting at 0).
  std::vector<std::int64_t> ddim_timesteps() const;

  const DdpmOptions& options() const { return options_; }
  const torch::Tensor& betas() const { return betas_; }          // [T] float64, CPU
  const torch::Tensor& alpha_bar() const { return alpha_bar_; }  // [T] float64, CPU: prod_{s<=t} (1 - beta_s)

 private:
  // x_{t_prev} from x_t with the DDIM update; t_prev < 0 means alpha_bar_prev = 1 (the final step).
  torch::Tensor ddim_step(ops::GraphedCall& network, const torch::Tensor& x, std::int64_t t, std::int64_t t_prev,
                          SampleNoise& noise) const;
  torch::Tensor ancestral_step(ops::GraphedCall& network, const torch::Tensor& x, std::int64_t t,
                               SampleNoise& noise) const;
  // eps_hat and the predicted x0 (clipped when clip_x0 > 0), from the sampler's network call.
  std::pair<torch::Tensor, torch::Tensor> predict(ops::GraphedCall& network, const torch::Tensor& x, std::int64_t t) const;

  DdpmOptions options_;
  torch::Tensor betas_, alpha_bar_;
  std::vector<double> beta_, abar_;  // host copies for the samplers' scalar math
};

}  // namespace retrain
