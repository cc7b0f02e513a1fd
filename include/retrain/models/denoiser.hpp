// The one interface between networks and diffusion methods: a network maps (x, noise level, labels) to
// a tensor shaped like x; what that output means (eps, F, velocity) is the method's business.
#pragma once
#include <torch/nn/module.h>

#include <memory>

namespace retrain {

class Denoiser : public torch::nn::Module {
 public:
  // x: [N, ...]; noise_level: [N] float, the method's conditioning value (DDPM step, EDM c_noise, flow
  // time); labels: [N] int64 class indices, or undefined for unconditional use.
  virtual torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& noise_level,
                                const torch::Tensor& labels) = 0;

  // A new network of the same architecture holding copies of this one's parameters and buffers, on
  // the same device (the trainer's EMA copy).
  virtual std::shared_ptr<Denoiser> replicate() const = 0;

  // Device and dtype of the first parameter (CPU/float32 for a network without parameters).
  torch::Device device() const;
  torch::ScalarType dtype() const;
};

}  // namespace retrain
