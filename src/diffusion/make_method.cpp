// make_method: name lookups with helpful errors, then the per-method constructors.
#include "retrain/diffusion/make_method.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <utility>
#include <vector>

#include "retrain/core/errors.hpp"

namespace retrain {
namespace {

// The enum value called `name` among `choices`; `what` says which setting it was for the error.
template <typename E>
E lookup(std::string_view what, const std::string& name, const std::vector<std::pair<std::string, E>>& choices) {
  std::vector<std::string> allowed;
  for (const auto& [key, value] : choices) {
    if (key == name) return value;
    allowed.push_back(key);
  }
  throw UsageError(fmt::format("unknown {} '{}'; expected one of: {}", what, name, fmt::join(allowed, ", ")));
}

void require_valid_steps(std::int64_t steps) {
  if (steps < 0) throw UsageError(fmt::format("sampler steps = {} is invalid; expected >= 1, or 0 for the default", steps));
}

void reject(std::string_view what, const std::string& value, std::string_view method) {
  if (!value.empty())
    throw UsageError(fmt::format("{} '{}' does not apply to method '{}'", what, value, method));
}

std::shared_ptr<Method> make_ddpm(const MethodOptions& o) {
  auto opts = o.ddpm;
  if (!o.sampler.empty())
    opts.sampler = lookup<DdpmSampler>("DDPM sampler", o.sampler,
                                       {{"ancestral", DdpmSampler::ancestral}, {"ddim", DdpmSampler::ddim}});
  if (!o.variance.empty())
    opts.variance = lookup<DdpmVariance>("DDPM variance", o.variance,
                                         {{"fixed_large", DdpmVariance::fixed_large},
                                          {"fixed_small", DdpmVariance::fixed_small}});
  reject("coupling", o.coupling, "ddpm");
  reject("preconditioning", o.preconditioning, "ddpm");
  if (!o.ddim_schedule.empty())
    opts.ddim_schedule = lookup<DdimSchedule>("DDIM step schedule", o.ddim_schedule,
                                              {{"linear", DdimSchedule::linear}, {"quadratic", DdimSchedule::quadratic}});
  if (o.steps > 0) {
    if (opts.sampler == DdpmSampler::ancestral && o.steps != opts.num_timesteps)
      throw UsageError(fmt::format("DDPM ancestral sampling runs all {} steps; steps = {} needs sampler 'ddim'",
                                   opts.num_timesteps, o.steps));
    opts.ddim_steps = o.steps;
  }
  return std::make_shared<DdpmMethod>(opts);
}

std::shared_ptr<Method> make_edm(const MethodOptions& o) {
  auto opts = o.edm;
  if (!o.sampler.empty())
    opts.sampler = lookup<EdmSampler>("EDM sampler", o.sampler, {{"heun", EdmSampler::heun}, {"euler", EdmSampler::euler}});
  reject("variance", o.variance, "edm");
  reject("coupling", o.coupling, "edm");
  reject("ddim_schedule", o.ddim_schedule, "edm");
  if (!o.preconditioning.empty())
    opts.preconditioning = lookup<EdmPreconditioning>("EDM preconditioning", o.preconditioning,
                                                      {{"edm", EdmPreconditioning::edm}, {"vp", EdmPreconditioning::vp}});
  if (o.steps > 0) opts.num_steps = o.steps;
  return std::make_shared<EdmMethod>(opts);
}

std::shared_ptr<Method> make_cfm(const MethodOptions& o) {
  auto opts = o.cfm;
  if (!o.sampler.empty())
    opts.sampler = lookup<FlowSampler>("flow matching sampler", o.sampler,
                                       {{"euler", FlowSampler::euler}, {"heun", FlowSampler::heun}});
  if (!o.coupling.empty())
    opts.coupling = lookup<FlowCoupling>("flow matching coupling", o.coupling,
                                         {{"independent", FlowCoupling::independent},
                                          {"minibatch_ot", FlowCoupling::minibatch_ot}});
  reject("variance", o.variance, "cfm");
  reject("preconditioning", o.preconditioning, "cfm");
  reject("ddim_schedule", o.ddim_schedule, "cfm");
  if (o.steps > 0) opts.num_steps = o.steps;
  return std::make_shared<FlowMatchingMethod>(opts);
}

}  // namespace

std::shared_ptr<Method> make_method(const MethodOptions& options) {
  require_valid_steps(options.steps);
  using Factory = std::shared_ptr<Method> (*)(const MethodOptions&);
  const auto factory =
      lookup<Factory>("diffusion method", options.method, {{"ddpm", &make_ddpm}, {"edm", &make_edm}, {"cfm", &make_cfm}});
  auto method = factory(options);
  method->set_guidance(options.guidance);
  method->set_sample_bf16(options.sample_bf16);
  return method;
}

}  // namespace retrain
