// What a diffusion learner's evaluate() does with the samples it drew: compare them with the real
// distribution and leave pictures behind; optionally, pictures of fixed-seed samples that compare
// generations sample by sample. Points and images each have one.
#pragma once
#include <ATen/core/Generator.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>

#include "retrain/data/real_data.hpp"

namespace retrain {

class SampleEvaluator {
 public:
  virtual ~SampleEvaluator() = default;
  // generated: x [N, ...] in storage form on the CPU (points float, images uint8), labels [N] or
  // undefined. Returns a flat JSON object of metrics; artifacts go into `out_dir`.
  virtual nlohmann::json evaluate(const SampleSet& generated, at::Generator& gen,
                                  const std::filesystem::path& out_dir) = 0;
  // How many fixed-seed views write_views() wants in every evaluated generation (0: none).
  virtual std::int64_t view_count() const { return 0; }
  // `views`: view_count() samples like `generated`, sample i drawn from seed i in every generation
  // (the seeds of `retrain sample --seeds 0-N`); their pictures go into `out_dir`.
  virtual void write_views(const SampleSet& views, const std::filesystem::path& out_dir) {}
};

}  // namespace retrain
