// make_method: the options validated, then the sampler and step overrides applied to the per-method
// options and their constructors.
#include "retrain/diffusion/make_method.hpp"

#include <algorithm>

namespace retrain {
namespace {

std::shared_ptr<Method> make_ddpm(const MethodOptions& o) {
  auto opts = o.ddpm;
  switch (o.sampler) {
    case SamplerChoice::method_default: break;
    case SamplerChoice::ancestral: opts.sampler = DdpmSampler::ancestral; break;
    case SamplerChoice::ddim: opts.sampler = DdpmSampler::ddim; break;
    default: break;  // validate() refused samplers of other methods
  }
  if (o.steps > 0) {
    opts.ddim_steps = o.steps;
  } else {
    opts.ddim_steps = std::min(opts.ddim_steps, opts.num_timesteps);  // DDIM's 50 steps, or all T when fewer
  }
  return std::make_shared<DdpmMethod>(opts);
}

std::shared_ptr<Method> make_edm(const MethodOptions& o) {
  auto opts = o.edm;
  switch (o.sampler) {
    case SamplerChoice::method_default: break;
    case SamplerChoice::euler: opts.sampler = EdmSampler::euler; break;
    case SamplerChoice::heun: opts.sampler = EdmSampler::heun; break;
    default: break;
  }
  if (o.steps > 0) opts.num_steps = o.steps;
  return std::make_shared<EdmMethod>(opts);
}

std::shared_ptr<Method> make_cfm(const MethodOptions& o) {
  auto opts = o.cfm;
  switch (o.sampler) {
    case SamplerChoice::method_default: break;
    case SamplerChoice::euler: opts.sampler = FlowSampler::euler; break;
    case SamplerChoice::heun: opts.sampler = FlowSampler::heun; break;
    default: break;
  }
  if (o.steps > 0) opts.num_steps = o.steps;
  return std::make_shared<FlowMatchingMethod>(opts);
}

}  // namespace

std::shared_ptr<Method> make_method(const MethodOptions& options) {
  validate(options);
  std::shared_ptr<Method> method;
  switch (options.type) {
    case MethodType::ddpm: method = make_ddpm(options); break;
    case MethodType::edm: method = make_edm(options); break;
    case MethodType::cfm: method = make_cfm(options); break;
  }
  method->set_guidance(options.guidance);
  method->set_sample_bf16(options.sample_precision == Precision::bf16);
  method->set_sample_cuda_graphs(options.sample_cuda_graphs);
  return method;
}

}  // namespace retrain
