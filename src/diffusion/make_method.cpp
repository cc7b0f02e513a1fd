// make_method: the sampler and step overrides checked against the method, then the per-method
// constructors; method_options: the config's method.* keys as options.
#include "retrain/diffusion/make_method.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "retrain/core/errors.hpp"

namespace retrain {
namespace {

[[noreturn]] void wrong_sampler(const MethodOptions& o, std::string_view fits) {
  throw UsageError(fmt::format("sampler '{}' does not fit method '{}' (it takes {})", choice_name(o.sampler),
                               choice_name(o.method), fits));
}

std::shared_ptr<Method> make_ddpm(const MethodOptions& o) {
  auto opts = o.ddpm;
  switch (o.sampler) {
    case SamplerChoice::method_default: break;
    case SamplerChoice::ancestral: opts.sampler = DdpmSampler::ancestral; break;
    case SamplerChoice::ddim: opts.sampler = DdpmSampler::ddim; break;
    default: wrong_sampler(o, "ancestral or ddim");
  }
  if (o.steps > 0) {
    if (opts.sampler == DdpmSampler::ancestral && o.steps != opts.num_timesteps)
      throw UsageError(fmt::format("DDPM ancestral sampling runs all {} steps; steps = {} needs sampler 'ddim'",
                                   opts.num_timesteps, o.steps));
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
    default: wrong_sampler(o, "euler or heun");
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
    default: wrong_sampler(o, "euler or heun");
  }
  if (o.steps > 0) opts.num_steps = o.steps;
  return std::make_shared<FlowMatchingMethod>(opts);
}

}  // namespace

MethodOptions method_options(const MethodConfig& c) {
  MethodOptions o;
  o.method = c.type;
  o.sampler = c.sampler;
  o.steps = c.steps;
  o.guidance = c.guidance;
  o.sample_bf16 = c.sample_precision == Precision::bf16;
  o.sample_cuda_graphs = c.sample_cuda_graphs;
  o.ddpm.num_timesteps = c.ddpm.timesteps;
  o.ddpm.beta_start = c.ddpm.beta_start;
  o.ddpm.beta_end = c.ddpm.beta_end;
  o.ddpm.variance = c.ddpm.variance;
  o.ddpm.ddim_eta = c.ddpm.ddim_eta;
  o.ddpm.ddim_schedule = c.ddpm.ddim_schedule;
  o.ddpm.clip_x0 = c.ddpm.clip_x0;
  o.edm.preconditioning = c.edm.preconditioning;
  o.edm.sigma_data = c.edm.sigma_data;
  o.edm.p_mean = c.edm.p_mean;
  o.edm.p_std = c.edm.p_std;
  o.edm.vp_beta_d = c.edm.vp_beta_d;
  o.edm.vp_beta_min = c.edm.vp_beta_min;
  o.edm.vp_m = c.edm.vp_m;
  o.edm.vp_epsilon_t = c.edm.vp_epsilon_t;
  o.edm.sigma_min = c.edm.sigma_min;
  o.edm.sigma_max = c.edm.sigma_max;
  o.edm.rho = c.edm.rho;
  o.edm.s_churn = c.edm.s_churn;
  o.edm.s_min = c.edm.s_min;
  o.edm.s_max = c.edm.s_max;
  o.edm.s_noise = c.edm.s_noise;
  o.cfm.coupling = c.cfm.coupling;
  o.cfm.sigma_min = c.cfm.sigma_min;
  return o;
}

std::shared_ptr<Method> make_method(const MethodOptions& options) {
  if (options.steps < 0)
    throw UsageError(fmt::format("sampler steps = {} is invalid; expected >= 1, or 0 for the default", options.steps));
  std::shared_ptr<Method> method;
  switch (options.method) {
    case MethodType::ddpm: method = make_ddpm(options); break;
    case MethodType::edm: method = make_edm(options); break;
    case MethodType::cfm: method = make_cfm(options); break;
  }
  method->set_guidance(options.guidance);
  method->set_sample_bf16(options.sample_bf16);
  method->set_sample_cuda_graphs(options.sample_cuda_graphs);
  return method;
}

}  // namespace retrain
