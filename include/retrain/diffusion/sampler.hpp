// Samples with one seed each: a method, the network's sample shape and classes, the batch
// (method.sample_batch) and the noise source (method.noise) as one value. The diffusion learner
// (synthetic samples, evaluations, fixed-seed views) and the checkpoint sampler (`retrain sample`,
// checkpoint inputs of `retrain metrics`) draw through it, so a seed means one sample everywhere,
// whatever the batch, shard or rank it is drawn in.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "retrain/diffusion/draw_samples.hpp"
#include "retrain/diffusion/method_options.hpp"

namespace retrain {

class Sampler {
 public:
  // draw.batch is the samples per sampler call.
  Sampler(std::shared_ptr<const Method> method, DrawOptions draw, NoiseMode noise);

  // The samples of `noise`'s rows (x float32 [n, ...] on the CPU, labels [n] when conditional).
  SampleSet draw(Denoiser& net, std::int64_t n, SampleNoise noise) const;
  // The samples of `seeds`, each from its own noise source of this sampler's mode.
  SampleSet draw(Denoiser& net, const std::vector<std::uint64_t>& seeds) const;
  // The same batch by batch: on_batch(begin, samples) for seeds [begin, begin + batch). Of several
  // ranks (stripe_count) each draws the batches b with b % stripe_count == stripe_index.
  using BatchCallback = std::function<void(std::int64_t begin, const SampleSet& samples)>;
  void draw_batches(Denoiser& net, const std::vector<std::uint64_t>& seeds, const BatchCallback& on_batch,
                    int stripe_index = 0, int stripe_count = 1) const;

  const Method& method() const { return *method_; }
  const DrawOptions& draw_options() const { return draw_; }
  NoiseMode noise() const { return noise_; }

 private:
  std::shared_ptr<const Method> method_;
  DrawOptions draw_;
  NoiseMode noise_;
};

}  // namespace retrain
