// SampleNoise: shared or per-sample generators behind one randn/randint.
#include "retrain/core/sample_noise.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <stdexcept>

namespace retrain {

SampleNoise::SampleNoise(at::Generator& gen) : shared_(&gen) {}

SampleNoise SampleNoise::per_sample(const std::vector<std::uint64_t>& seeds) {
  SampleNoise noise;
  noise.generators_.reserve(seeds.size());
  for (auto seed : seeds) noise.generators_.push_back(at::detail::createCPUGenerator(seed));
  return noise;
}

void SampleNoise::check_rows(std::int64_t rows) const {
  if (rows != this->rows())
    throw std::invalid_argument(fmt::format("per-sample noise has {} seeds but {} rows were asked for", this->rows(), rows));
}

torch::Tensor SampleNoise::randn(at::IntArrayRef shape, const torch::TensorOptions& options) {
  const auto cpu = torch::TensorOptions().dtype(options.dtype());
  if (shared_) return at::randn(shape, *shared_, cpu).to(options.device());
  TORCH_CHECK(!shape.empty(), "per-sample noise needs a leading sample dimension");
  check_rows(shape[0]);
  auto out = torch::empty(shape, cpu);
  for (std::int64_t i = 0; i < shape[0]; ++i) out[i].copy_(at::randn(shape.slice(1), generators_[i], cpu));
  return out.to(options.device());
}

torch::Tensor SampleNoise::randint(std::int64_t high, std::int64_t rows) {
  if (shared_) return at::randint(high, {rows}, *shared_, torch::kLong);
  check_rows(rows);
  auto out = torch::empty({rows}, torch::kLong);
  for (std::int64_t i = 0; i < rows; ++i) out[i] = at::randint(high, {1}, generators_[i], torch::kLong)[0];
  return out;
}

SampleNoise SampleNoise::slice(std::int64_t begin, std::int64_t end) const {
  if (shared_) return *this;
  TORCH_CHECK(0 <= begin && begin <= end && end <= rows(), "SampleNoise::slice [", begin, ", ", end, ") of ", rows());
  SampleNoise part;
  part.generators_.assign(generators_.begin() + begin, generators_.begin() + end);  // shares generator state
  return part;
}

}  // namespace retrain
