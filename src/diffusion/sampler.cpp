// Sampler: per-seed noise sources, then draw_samples, whole or batch by batch.
#include "retrain/diffusion/sampler.hpp"

#include <algorithm>

#include "retrain/core/require.hpp"

namespace retrain {

Sampler::Sampler(std::shared_ptr<const Method> method, DrawOptions draw, NoiseMode noise)
    : method_(std::move(method)), draw_(std::move(draw)), noise_(noise) {
  TORCH_CHECK(method_, "Sampler needs a method");
  require(draw_.batch >= 1, "sampler", "batch", draw_.batch, ">= 1");
}

SampleSet Sampler::draw(Denoiser& net, std::int64_t n, SampleNoise noise) const {
  return draw_samples(*method_, net, n, std::move(noise), draw_);
}

SampleSet Sampler::draw(Denoiser& net, const std::vector<std::uint64_t>& seeds) const {
  return draw(net, static_cast<std::int64_t>(seeds.size()), SampleNoise::per_sample(seeds, noise_));
}

void Sampler::draw_batches(Denoiser& net, const std::vector<std::uint64_t>& seeds, const BatchCallback& on_batch,
                           int stripe_index, int stripe_count) const {
  const auto n = static_cast<std::int64_t>(seeds.size());
  const auto noise = SampleNoise::per_sample(seeds, noise_);
  for (std::int64_t begin = 0, index = 0; begin < n; begin += draw_.batch, ++index) {
    if (index % stripe_count != stripe_index) continue;
    const auto count = std::min(draw_.batch, n - begin);
    on_batch(begin, draw(net, count, noise.slice(begin, begin + count)));
  }
}

}  // namespace retrain
