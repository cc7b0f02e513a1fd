// Counter-based seeding: every random stream is derived from (run seed, round, purpose), so a resumed
// run draws exactly the numbers an uninterrupted one would, without saving generator state. A round is
// whatever the caller counts in (the loop passes its generation).
#pragma once
#include <ATen/core/Generator.h>

#include <cstdint>
#include <vector>

namespace retrain {

// What a stream is used for; part of the derived seed so streams never overlap.
enum class Stream : std::uint64_t { RealData = 1, Sample = 2, Correction = 3, Fit = 4, Eval = 5 };

// SplitMix64 finaliser: a bijective 64-bit mixer.
std::uint64_t mix64(std::uint64_t x);

// Seed for `stream` of `round` in a run seeded with `seed`.
std::uint64_t derive_seed(std::uint64_t seed, std::int64_t round, Stream stream);

// A fresh CPU generator seeded with derive_seed(...). Sampling on CPU keeps results identical on
// every device; tensors move to the compute device afterwards.
at::Generator make_generator(std::uint64_t seed, std::int64_t round, Stream stream);

// Seeds of samples [first, first + n) of a stream whose generator was seeded with `stream_seed` (e.g.
// one round's synthetic samples): sample i's seed depends on (stream_seed, i) alone.
std::vector<std::uint64_t> sample_seeds(std::uint64_t stream_seed, std::int64_t first, std::int64_t n);

}  // namespace retrain
