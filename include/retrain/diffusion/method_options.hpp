// The method.* keys: which diffusion method, its sampler and step count, guidance, how samples are drawn
// (batch, noise source, precision, CUDA graphs) and the per-method options (ddpm.hpp, edm.hpp,
// flow_matching.hpp). The member initialisers are the keys' defaults; method_option_table() registers them.
#pragma once
#include <cstdint>

#include "retrain/core/choices.hpp"
#include "retrain/core/options.hpp"
#include "retrain/diffusion/ddpm.hpp"
#include "retrain/diffusion/edm.hpp"
#include "retrain/diffusion/flow_matching.hpp"

namespace retrain {

struct MethodOptions {
  MethodType type = MethodType::edm;
  // Overrides the per-method struct's sampler unless method_default: ddpm ancestral | ddim, edm and cfm
  // euler | heun.
  SamplerChoice sampler = SamplerChoice::method_default;
  std::int64_t steps = 0;      // > 0 overrides the step count: ddpm DDIM steps (ancestral always runs all T)
  double guidance = 1.0;       // classifier-free guidance weight (1 = none)
  std::int64_t sample_batch = 256;               // samples per sampler call
  NoiseMode noise = NoiseMode::philox;           // where per-sample sampling noise comes from
  Precision sample_precision = Precision::fp32;  // the sampler's network calls (step math stays float64)
  bool sample_cuda_graphs = false;               // CUDA: the sampler's network calls replay a captured graph
  DdpmOptions ddpm;
  EdmOptions edm;
  FlowMatchingOptions cfm;
  bool operator==(const MethodOptions&) const = default;
};

const OptionTable<MethodOptions>& method_option_table();
// The per-method keys (method.ddpm.*, method.edm.*, method.cfm.*), nested in method_option_table(); the
// methods check their options against them.
const OptionTable<DdpmOptions>& ddpm_option_table();
const OptionTable<EdmOptions>& edm_option_table();
const OptionTable<FlowMatchingOptions>& cfm_option_table();

// The rules between method keys (sampler fits the method, DDPM step counts, ordered ranges); UsageError
// naming the values. make_method checks them too.
void validate(const MethodOptions& options);

}  // namespace retrain
