// Counter-based seed derivation (SplitMix64) and CPU generator construction.
#include "retrain/core/rng.hpp"

#include <ATen/CPUGeneratorImpl.h>

namespace retrain {

std::uint64_t mix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::uint64_t derive_seed(std::uint64_t seed, std::int64_t round, Stream stream) {
  std::uint64_t h = mix64(seed);
  h = mix64(h ^ static_cast<std::uint64_t>(round));
  return mix64(h ^ static_cast<std::uint64_t>(stream));
}

at::Generator make_generator(std::uint64_t seed, std::int64_t round, Stream stream) {
  return at::make_generator<at::CPUGeneratorImpl>(derive_seed(seed, round, stream));
}

std::vector<std::uint64_t> sample_seeds(std::uint64_t stream_seed, std::int64_t first, std::int64_t n) {
  std::vector<std::uint64_t> seeds(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) seeds[i] = mix64(stream_seed ^ mix64(static_cast<std::uint64_t>(first + i)));
  return seeds;
}

}  // namespace retrain
