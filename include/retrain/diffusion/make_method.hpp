// Building a Method: method ddpm | edm | cfm with its sampler, step count and per-method options,
// from MethodOptions or from the config's method section (method_options, the one place that maps
// method.* keys to options).
#pragma once
#include <memory>

#include "retrain/core/choices.hpp"
#include "retrain/core/config.hpp"
#include "retrain/diffusion/ddpm.hpp"
#include "retrain/diffusion/edm.hpp"
#include "retrain/diffusion/flow_matching.hpp"

namespace retrain {

struct MethodOptions {
  MethodType method = MethodType::edm;
  // Overrides the per-method struct's sampler unless method_default: ddpm ancestral | ddim, edm and cfm
  // euler | heun.
  SamplerChoice sampler = SamplerChoice::method_default;
  std::int64_t steps = 0;      // > 0 overrides the step count: ddpm DDIM steps (ancestral always runs all T)
  double guidance = 1.0;       // classifier-free guidance weight (1 = none)
  bool sample_bf16 = false;    // the sampler's network calls under bfloat16 autocast
  bool sample_cuda_graphs = false;  // CUDA: the sampler's network calls replay a captured graph
  DdpmOptions ddpm;
  EdmOptions edm;
  FlowMatchingOptions cfm;
  bool operator==(const MethodOptions&) const = default;
};

// The options of the config's method.* keys (its defaults give MethodOptions{}).
MethodOptions method_options(const MethodConfig& config);

// Throws retrain::UsageError naming the offending value and what fits.
std::shared_ptr<Method> make_method(const MethodOptions& options);

}  // namespace retrain
