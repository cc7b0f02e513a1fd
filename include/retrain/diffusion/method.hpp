// A diffusion method: the training loss and the sampler over a Denoiser. All randomness comes from the
// caller's CPU generator (drawn on CPU, then moved to the network's device), so results reproduce.
#pragma once
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <vector>

#include "retrain/core/sample_noise.hpp"
#include "retrain/models/denoiser.hpp"

namespace retrain {

class Method {
 public:
  virtual ~Method() = default;

  // Per-sample loss [N] for clean data x0 [N, ...] (labels [N] int64 or undefined); differentiable.
  virtual torch::Tensor loss(Denoiser& net, const torch::Tensor& x0, const torch::Tensor& labels,
                             at::Generator& gen) const = 0;

  // Samples of `shape` ([N, ...]) as float32 on the network's device; runs without autograd. With
  // per-sample noise, sample i depends only on its own seed (not on the batch it is drawn in).
  virtual torch::Tensor sample(Denoiser& net, std::vector<std::int64_t> shape, const torch::Tensor& labels,
                               SampleNoise noise) const = 0;

  // Classifier-free guidance weight w for sampling conditional networks: the network output becomes
  // out(no class) + w (out(class) - out(no class)), the class "none" being label -1 (trained through
  // label dropout). 1 = plain conditional sampling (one network evaluation).
  void set_guidance(double w);
  double guidance() const { return guidance_; }

 protected:
  // net(x_in, noise_level, labels) with inputs cast to the network's dtype and device; the output comes
  // back in x_in's dtype (so float64 samplers stay in float64 around a float32 network).
  static torch::Tensor evaluate(Denoiser& net, const torch::Tensor& x_in, const torch::Tensor& noise_level,
                                const torch::Tensor& labels);
  // evaluate() with classifier-free guidance applied (samplers use this; losses use evaluate()).
  torch::Tensor evaluate_guided(Denoiser& net, const torch::Tensor& x_in, const torch::Tensor& noise_level,
                                const torch::Tensor& labels) const;
  // Standard normal noise of `shape`, drawn on CPU from `gen`, then moved to `options`' device/dtype.
  static torch::Tensor randn(at::IntArrayRef shape, at::Generator& gen, const torch::TensorOptions& options);
  // v [N] viewed as [N, 1, ...] to broadcast against x [N, ...].
  static torch::Tensor per_sample(const torch::Tensor& v, const torch::Tensor& x);

 private:
  double guidance_ = 1.0;
};

}  // namespace retrain
