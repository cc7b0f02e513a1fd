// What a diffusion learner's evaluate() does with the samples it drew: compare them with the real
// distribution and leave pictures behind. Points and images each have one.
#pragma once
#include <ATen/core/Generator.h>
#include <nlohmann/json.hpp>

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
};

}  // namespace retrain
