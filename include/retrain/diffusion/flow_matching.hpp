// Conditional flow matching (Lipman et al. 2022; minibatch-OT coupling of Tong et al. 2023).
// Convention: t runs from 0 (noise) to 1 (data): x_t = (1 - (1 - sigma_min) t) x0 + t x1 with noise
// x0 ~ N(0, I) and data x1; the network regresses the velocity u = x1 - (1 - sigma_min) x0 and sees t.
#pragma once
#include "retrain/core/choices.hpp"
#include "retrain/diffusion/method.hpp"

namespace retrain {

enum class FlowSampler { euler, heun };

struct FlowMatchingOptions {
  FlowCoupling coupling = FlowCoupling::independent;
  FlowSampler sampler = FlowSampler::euler;
  std::int64_t num_steps = 100;  // uniform steps on t in [0, 1]
  double sigma_min = 0.0;        // width of the conditional path at t = 1
  bool operator==(const FlowMatchingOptions&) const = default;
};

class FlowMatchingMethod final : public Method {
 public:
  explicit FlowMatchingMethod(const FlowMatchingOptions& options = {});

  // Mean over non-batch dims of (v(x_t, t) - u)^2 with t ~ U[0, 1].
  torch::Tensor keyed_loss(Denoiser& net, const torch::Tensor& x0, const torch::Tensor& labels, at::Generator& gen,
                           const torch::Tensor& keys) const override;
  // Integrates dx/dt = v(x, t) from t = 0 (x ~ N(0, I)) to t = 1 in float64.
  torch::Tensor sample(Denoiser& net, std::vector<std::int64_t> shape, const torch::Tensor& labels,
                       SampleNoise noise) const override;

  const FlowMatchingOptions& options() const { return options_; }

 private:
  FlowMatchingOptions options_;
};

}  // namespace retrain
