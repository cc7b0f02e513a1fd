// Building a Method from names (as a config file gives them): method ddpm | edm | cfm, its sampler,
// step count and the named choices; every other knob comes from the per-method option structs.
#pragma once
#include <memory>
#include <string>

#include "retrain/diffusion/ddpm.hpp"
#include "retrain/diffusion/edm.hpp"
#include "retrain/diffusion/flow_matching.hpp"

namespace retrain {

struct MethodOptions {
  std::string method = "edm";  // ddpm | edm | cfm
  // The strings below override the per-method struct when non-empty; 0 steps keeps its step count.
  std::string sampler;         // ddpm: ancestral | ddim; edm: heun | euler; cfm: euler | heun
  std::int64_t steps = 0;      // ddpm: DDIM steps (ancestral always runs all T); edm, cfm: sampler steps
  std::string variance;        // ddpm ancestral: fixed_large | fixed_small
  std::string coupling;        // cfm: independent | minibatch_ot
  std::string preconditioning; // edm: edm | vp
  std::string ddim_schedule;   // ddpm DDIM: linear | quadratic
  double guidance = 1.0;       // classifier-free guidance weight (1 = none)
  bool sample_bf16 = false;    // the sampler's network calls under bfloat16 autocast
  DdpmOptions ddpm;
  EdmOptions edm;
  FlowMatchingOptions cfm;
};

// Throws retrain::UsageError naming the offending value and the allowed ones.
std::shared_ptr<Method> make_method(const MethodOptions& options);

}  // namespace retrain
