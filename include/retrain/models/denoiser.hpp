// The one interface between networks and diffusion methods: a network maps (x, noise level, labels) to
// a tensor shaped like x; what that output means (eps, F, velocity) is the method's business.
#pragma once
#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/module.h>

#include <memory>

#include "retrain/models/state_dict.hpp"

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

// replicate() for a network built from `Net(net.options())`: construction draws initial weights that
// are overwritten at once, so torch's global generator is restored to keep replication from shifting
// anyone else's random stream.
template <class Net>
std::shared_ptr<Denoiser> replicate_network(const Net& net) {
  auto global = at::detail::getDefaultCPUGenerator();
  const auto state = global.get_state();
  auto copy = std::make_shared<Net>(net.options());
  global.set_state(state);
  copy->to(net.device(), net.dtype());
  load_state_dict(*copy, state_dict(net), "<replicate>");
  return copy;
}

}  // namespace retrain
