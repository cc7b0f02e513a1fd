// Where a sampler's randomness comes from: one generator for the whole batch, or per sample, so sample
// i is the same whatever batch, shard or device it is drawn in. Per sample, the k-th draw of row i is
// either the Philox stream (seed_i, k) made on the compute device (NoiseMode::philox, the default: no
// host generator, no host copy, fused into the sampler's update by ops::combine), or the k-th draw of a
// CPU generator seeded with seed_i (NoiseMode::torch: every number is drawn on the CPU and copied; with
// draw_latents_first, draw_samples makes the draws in the order and dtype of NVlabs/edm's generate.py
// run on a CPU: the latent torch.randn(shape, generator=torch.Generator().manual_seed(seed)) in float32,
// then the random class, then the sampler's own draws in its dtype).
#pragma once
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "retrain/core/choices.hpp"

namespace retrain {

namespace ops {
struct Term;  // ops/combine.hpp: a coefficient times a tensor (callers of combine_with_draw include it)
}  // namespace ops


class SampleNoise {
 public:
  // Shared: every draw comes from `gen` (not owned; must outlive this object).
  SampleNoise(at::Generator& gen);  // NOLINT(google-explicit-constructor): a generator is a noise source
  // Per sample: row i of every draw comes from seeds[i].
  static SampleNoise per_sample(const std::vector<std::uint64_t>& seeds, NoiseMode mode = NoiseMode::philox);

  // Standard normal noise of `shape` in `options`' dtype and device. Per sample, shape[0] must equal
  // the number of seeds.
  torch::Tensor randn(at::IntArrayRef shape, const torch::TensorOptions& options);
  // Integers in [0, high), one per row (per sample: one from each seed), int64 on the CPU.
  torch::Tensor randint(std::int64_t high, std::int64_t rows);
  // sum_k terms + noise_coef[n] * (the next draw, shaped like the terms): one fused pass when the noise
  // is counter-based, else the draw is made by randn() and added as one more term (so at most
  // ops::kMaxTerms - 1 terms).
  torch::Tensor combine_with_draw(std::vector<ops::Term> terms, const torch::Tensor& noise_coef);
  // Per-sample noise restricted to rows [begin, end) (sub-batches of one shard); the slice continues
  // each row's stream where this source is. Shared noise returns itself.
  SampleNoise slice(std::int64_t begin, std::int64_t end) const;

  // Rows of a per-sample source; -1 for a shared generator.
  std::int64_t rows() const;

  // True for per-sample torch-mode noise, which draws as NVlabs/edm's generate.py: draw_samples draws the
  // latents before the labels, and EDM's sampler draws churn noise at every step once s_churn > 0 (as
  // generate.py's randn_like does, even where gamma is 0).
  bool generate_py_order() const { return !shared_ && mode_ == NoiseMode::torch; }
  // Draws the initial latents [rows, ...] now, in float32 (as generate.py's torch.randn does before any
  // cast), and keeps them: the next randn() of this shape returns them cast to its dtype and device
  // instead of drawing. Only for generate_py_order() sources.
  void draw_latents_first(at::IntArrayRef shape);

 private:
  SampleNoise() = default;
  void check_rows(std::int64_t rows) const;
  const torch::Tensor& keys_on(const torch::Device& device);

  at::Generator* shared_ = nullptr;
  NoiseMode mode_ = NoiseMode::philox;
  std::vector<at::Generator> generators_;  // torch mode
  torch::Tensor keys_;                      // philox mode: int64 [rows] on the CPU
  torch::Tensor latents_;                   // torch mode: drawn by draw_latents_first, not yet returned
  torch::Tensor device_keys_;               // keys_ on the device of the last draw
  std::uint32_t draw_ = 0;                  // philox mode: index of the next draw
};

}  // namespace retrain
