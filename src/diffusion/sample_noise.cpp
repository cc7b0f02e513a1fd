// SampleNoise: shared, per-sample Philox and per-sample torch-generator noise behind one interface.
#include "retrain/diffusion/sample_noise.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <stdexcept>

#include "retrain/core/device.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/ops/combine.hpp"
#include "retrain/ops/philox_noise.hpp"

namespace retrain {

SampleNoise::SampleNoise(at::Generator& gen) : shared_(&gen) {}

SampleNoise SampleNoise::per_sample(const std::vector<std::uint64_t>& seeds, NoiseMode mode) {
  SampleNoise noise;
  noise.mode_ = mode;
  if (mode == NoiseMode::torch) {
    noise.generators_.reserve(seeds.size());
    for (auto seed : seeds) noise.generators_.push_back(at::detail::createCPUGenerator(seed));
  } else {
    noise.keys_ = torch::empty({static_cast<std::int64_t>(seeds.size())}, torch::kLong);
    auto* k = noise.keys_.data_ptr<std::int64_t>();
    for (std::size_t i = 0; i < seeds.size(); ++i) k[i] = static_cast<std::int64_t>(seeds[i]);
  }
  return noise;
}

std::int64_t SampleNoise::rows() const {
  if (shared_) return -1;
  return mode_ == NoiseMode::torch ? static_cast<std::int64_t>(generators_.size()) : keys_.size(0);
}

void SampleNoise::check_rows(std::int64_t rows) const {
  if (rows != this->rows())
    throw std::invalid_argument(fmt::format("per-sample noise has {} seeds but {} rows were asked for", this->rows(), rows));
}

const torch::Tensor& SampleNoise::keys_on(const torch::Device& device) {
  if (!device_keys_.defined() || device_keys_.device() != device) device_keys_ = to_device(keys_, device);
  return device_keys_;
}

void SampleNoise::draw_latents_first(at::IntArrayRef shape) {
  TORCH_CHECK(generate_py_order(), "SampleNoise::draw_latents_first: only per-sample torch-mode noise draws latents first");
  TORCH_CHECK(!latents_.defined(), "SampleNoise::draw_latents_first: latents already drawn and not yet used");
  latents_ = randn(shape, torch::kFloat32);
}

torch::Tensor SampleNoise::randn(at::IntArrayRef shape, const torch::TensorOptions& options) {
  const auto cpu = torch::TensorOptions().dtype(options.dtype());
  if (shared_) return to_device(at::randn(shape, *shared_, cpu), options.device());
  TORCH_CHECK(!shape.empty(), "per-sample noise needs a leading sample dimension");
  check_rows(shape[0]);
  if (mode_ == NoiseMode::philox) return ops::philox_normal(keys_on(options.device()), draw_++, shape, options);
  if (latents_.defined()) {
    TORCH_CHECK(latents_.sizes() == shape, "SampleNoise: the sampler asked for noise of shape ", shape,
                " before using the latents drawn first, of shape ", latents_.sizes());
    auto out = to_device(latents_.to(options.dtype()), options.device());
    latents_ = torch::Tensor();
    return out;
  }
  auto out = torch::empty(shape, cpu);
  for (std::int64_t i = 0; i < shape[0]; ++i) out[i].copy_(at::randn(shape.slice(1), generators_[i], cpu));
  return to_device(out, options.device());
}

torch::Tensor SampleNoise::randint(std::int64_t high, std::int64_t rows) {
  if (shared_) return at::randint(high, {rows}, *shared_, torch::kLong);
  check_rows(rows);
  if (mode_ == NoiseMode::philox)
    return (ops::philox_uniform(keys_, draw_++) * static_cast<double>(high)).floor().clamp_max(high - 1).to(torch::kLong);
  auto out = torch::empty({rows}, torch::kLong);
  for (std::int64_t i = 0; i < rows; ++i) out[i] = at::randint(high, {1}, generators_[i], torch::kLong)[0];
  return out;
}

torch::Tensor SampleNoise::combine_with_draw(std::vector<ops::Term> terms, const torch::Tensor& noise_coef) {
  TORCH_CHECK(!terms.empty(), "SampleNoise::combine_with_draw: no terms");
  const auto& x = terms[0].x;
  if (!shared_ && mode_ == NoiseMode::philox) {
    check_rows(x.size(0));
    return ops::combine(terms, ops::Noise{keys_on(x.device()), draw_++, noise_coef});
  }
  terms.push_back({randn(x.sizes(), x.options()), noise_coef});
  return ops::combine(terms);
}

SampleNoise SampleNoise::slice(std::int64_t begin, std::int64_t end) const {
  if (shared_) return *this;
  TORCH_CHECK(0 <= begin && begin <= end && end <= rows(), "SampleNoise::slice [", begin, ", ", end, ") of ", rows());
  SampleNoise part;
  part.mode_ = mode_;
  part.draw_ = draw_;
  if (mode_ == NoiseMode::torch) {
    part.generators_.assign(generators_.begin() + begin, generators_.begin() + end);  // shares generator state
    if (latents_.defined()) part.latents_ = latents_.slice(0, begin, end);
  } else
    part.keys_ = keys_.slice(0, begin, end);
  return part;
}

}  // namespace retrain
