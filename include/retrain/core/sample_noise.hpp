// Where a sampler's randomness comes from: one generator for the whole batch, or one generator per
// sample (seeded individually), so sample i is the same whatever batch or shard it is drawn in.
#pragma once
#include <ATen/core/Generator.h>
#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace retrain {

class SampleNoise {
 public:
  // Shared: every draw comes from `gen` (not owned; must outlive this object).
  SampleNoise(at::Generator& gen);  // NOLINT(google-explicit-constructor): a generator is a noise source
  // Per sample: row i of every draw comes from a CPU generator seeded with seeds[i].
  static SampleNoise per_sample(const std::vector<std::uint64_t>& seeds);

  // Standard normal noise of `shape` drawn on the CPU, then moved to `options`' device and dtype. Per
  // sample, shape[0] must equal the number of seeds and row i is drawn from generator i.
  torch::Tensor randn(at::IntArrayRef shape, const torch::TensorOptions& options);
  // Integers in [0, high), one per row (per sample: one from each generator), int64 on the CPU.
  torch::Tensor randint(std::int64_t high, std::int64_t rows);
  // Per-sample noise restricted to rows [begin, end) (sub-batches of one shard); shared noise returns itself.
  SampleNoise slice(std::int64_t begin, std::int64_t end) const;

  bool is_per_sample() const { return shared_ == nullptr; }
  // Rows of a per-sample source; -1 for a shared generator.
  std::int64_t rows() const { return shared_ ? -1 : static_cast<std::int64_t>(generators_.size()); }

 private:
  SampleNoise() = default;
  void check_rows(std::int64_t rows) const;

  at::Generator* shared_ = nullptr;
  std::vector<at::Generator> generators_;
};

}  // namespace retrain
