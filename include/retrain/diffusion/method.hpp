// A diffusion method: the training loss and the sampler over a Denoiser. A loss takes one 64-bit key
// from the caller's CPU generator per batch and draws its noise from the counter-based Philox streams of
// that key on the network's device (ops/philox_noise.hpp); samplers draw from their SampleNoise. Both
// reproduce exactly from the generator state and the seeds.
#pragma once
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <vector>

#include "retrain/diffusion/sample_noise.hpp"
#include "retrain/models/denoiser.hpp"
#include "retrain/ops/graphed_call.hpp"

namespace retrain {

class Method {
 public:
  virtual ~Method() = default;

  // Per-sample loss [N] for clean data x0 [N, ...] (labels [N] int64 or undefined); differentiable.
  // Row n's noise is the Philox stream keys[n] (int64 [N] on x0's device); anything else a method
  // draws (time steps, say) comes from `gen`, in row order, so a batch split into parts that draw one
  // after another gives the losses of the whole batch.
  virtual torch::Tensor keyed_loss(Denoiser& net, const torch::Tensor& x0, const torch::Tensor& labels,
                                   at::Generator& gen, const torch::Tensor& keys) const = 0;
  // Keys of one training batch's noise: n consecutive keys after one 64-bit draw of `gen`, on `device`.
  static torch::Tensor batch_keys(at::Generator& gen, std::int64_t n, const torch::Device& device);
  // keyed_loss with the keys of one batch drawn first from `gen` (batch_keys).
  torch::Tensor loss(Denoiser& net, const torch::Tensor& x0, const torch::Tensor& labels, at::Generator& gen) const {
    return keyed_loss(net, x0, labels, gen, batch_keys(gen, x0.size(0), x0.device()));
  }

  // Samples of `shape` ([N, ...]) as float32 on the network's device; runs without autograd. With
  // per-sample noise, sample i depends only on its own seed (not on the batch it is drawn in).
  virtual torch::Tensor sample(Denoiser& net, std::vector<std::int64_t> shape, const torch::Tensor& labels,
                               SampleNoise noise) const = 0;

  // Classifier-free guidance weight w for sampling conditional networks: the network output becomes
  // out(no class) + w (out(class) - out(no class)), the class "none" being label -1 (trained through
  // label dropout). 1 = plain conditional sampling (one network evaluation).
  void set_guidance(double w);
  double guidance() const { return guidance_; }
  // Sampling precision: the network calls of sample() under bfloat16 autocast (the step arithmetic
  // around them stays float64). Training precision is the Trainer's business.
  void set_sample_bf16(bool enabled) { sample_bf16_ = enabled; }
  // On a GPU, each network call of a sampled batch after its first replays one captured CUDA graph
  // (ops::GraphedCall); no effect on the CPU.
  void set_sample_cuda_graphs(bool enabled) { sample_cuda_graphs_ = enabled; }

 protected:
  // net(x_in, noise_level, labels) with inputs cast to the network's dtype and device; the output comes
  // back in x_in's dtype (so float64 samplers stay in float64 around a float32 network).
  static torch::Tensor evaluate(Denoiser& net, const torch::Tensor& x_in, const torch::Tensor& noise_level,
                                const torch::Tensor& labels);
  // evaluate() with classifier-free guidance applied (samplers use this; losses use evaluate()).
  torch::Tensor evaluate_guided(Denoiser& net, const torch::Tensor& x_in, const torch::Tensor& noise_level,
                                const torch::Tensor& labels) const;
  // The network as the sampler of one batch calls it, f({x_in, noise_level}): evaluate_guided with the
  // batch's `labels`, through a CUDA graph when set_sample_cuda_graphs is on. One per sample() call.
  ops::GraphedCall sampler_network(Denoiser& net, const torch::Tensor& labels) const;
  // v [N] viewed as [N, 1, ...] to broadcast against x [N, ...].
  static torch::Tensor per_sample(const torch::Tensor& v, const torch::Tensor& x);
  // The per-sample coefficient [N] equal to `value` for every row of x (x's dtype and device).
  static torch::Tensor per_row(double value, const torch::Tensor& x);

 private:
  double guidance_ = 1.0;
  bool sample_bf16_ = false;
  bool sample_cuda_graphs_ = false;
};

}  // namespace retrain
