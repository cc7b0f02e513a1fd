// The method.* keys (method_options.hpp) and the rules between them.
#include "retrain/diffusion/method_options.hpp"

#include <fmt/format.h>

#include "retrain/core/errors.hpp"

namespace retrain {
namespace {

using option_detail::kInf;

std::string samplers_of(MethodType method) {
  return method == MethodType::ddpm ? "ancestral or ddim" : "euler or heun";
}

// The samplers each method has: ddpm ancestral | ddim, edm and cfm euler | heun ("default" fits all).
bool sampler_fits_method(SamplerChoice sampler, MethodType method) {
  switch (sampler) {
    case SamplerChoice::method_default: return true;
    case SamplerChoice::ancestral:
    case SamplerChoice::ddim: return method == MethodType::ddpm;
    case SamplerChoice::euler:
    case SamplerChoice::heun: return method != MethodType::ddpm;
  }
  return false;
}

}  // namespace

const OptionTable<DdpmOptions>& ddpm_option_table() {
  static const auto table = OptionTable<DdpmOptions>()
      .number("method.ddpm.timesteps", &DdpmOptions::num_timesteps, 1, kInf,
        "ddpm: T, diffusion steps.")
      .number("method.ddpm.beta_start", &DdpmOptions::beta_start, 0, 1,
        "ddpm: first beta of the linear schedule.", Open::both)
      .number("method.ddpm.beta_end", &DdpmOptions::beta_end, 0, 1,
        "ddpm: last beta of the linear schedule.", Open::both)
      .choice("method.ddpm.variance", &DdpmOptions::variance,
        "ddpm ancestral sampler: beta_t (fixed_large) or the posterior variance (fixed_small).")
      .number("method.ddpm.ddim_eta", &DdpmOptions::ddim_eta, 0, 1,
        "ddpm DDIM sampler: eta (0 deterministic).")
      .choice("method.ddpm.ddim_schedule", &DdpmOptions::ddim_schedule,
        "ddpm DDIM sampler: step selection (linear floor(iT/S), or quadratic as DDIM's CIFAR-10).")
      .number("method.ddpm.clip_x0", &DdpmOptions::clip_x0, 0, kInf,
        "ddpm samplers: clamp the predicted x0 to [-clip_x0, clip_x0] (images: 1); 0 = no clamping.");
  return table;
}

const OptionTable<EdmOptions>& edm_option_table() {
  static const auto table = OptionTable<EdmOptions>()
      .choice("method.edm.preconditioning", &EdmOptions::preconditioning,
        "edm: the formulation; edm = Karras et al.; vp = variance preserving (Song et al. 2021) in EDM's terms.")
      .number("method.edm.vp_beta_d", &EdmOptions::vp_beta_d, 1e-9, kInf,
        "vp: beta_d of sigma(t) = sqrt(exp(beta_d t^2/2 + beta_min t) - 1).")
      .number("method.edm.vp_beta_min", &EdmOptions::vp_beta_min, 0, kInf,
        "vp: beta_min.")
      .number("method.edm.vp_m", &EdmOptions::vp_m, 1.0001, kInf,
        "vp: M, the network sees c_noise = (M - 1) t.")
      .number("method.edm.vp_epsilon_t", &EdmOptions::vp_epsilon_t, 1e-12, 0.5,
        "vp: smallest training t.")
      .number("method.edm.sigma_data", &EdmOptions::sigma_data, 1e-9, kInf,
        "edm: data standard deviation in the preconditioning (0.5 for images in [-1, 1]).")
      .number("method.edm.p_mean", &EdmOptions::p_mean, -kInf, kInf,
        "edm: mean of ln(sigma) in training.")
      .number("method.edm.p_std", &EdmOptions::p_std, 1e-9, kInf,
        "edm: std of ln(sigma) in training.")
      .number("method.edm.sigma_min", &EdmOptions::sigma_min, 1e-9, kInf,
        "edm sampler: smallest noise level.")
      .number("method.edm.sigma_max", &EdmOptions::sigma_max, 1e-9, kInf,
        "edm sampler: largest noise level.")
      .number("method.edm.rho", &EdmOptions::rho, 1e-9, kInf,
        "edm sampler: exponent of the noise-level schedule.")
      .number("method.edm.s_churn", &EdmOptions::s_churn, 0, kInf,
        "edm sampler: stochasticity (0 = deterministic).")
      .number("method.edm.s_min", &EdmOptions::s_min, 0, kInf,
        "edm sampler: churn only for sigma >= s_min.")
      .number("method.edm.s_max", &EdmOptions::s_max, 0, kInf,
        "edm sampler: churn only for sigma <= s_max (the default is above any sigma).")
      .number("method.edm.s_noise", &EdmOptions::s_noise, 0, kInf,
        "edm sampler: scale of the churn noise.");
  return table;
}

const OptionTable<FlowMatchingOptions>& cfm_option_table() {
  static const auto table = OptionTable<FlowMatchingOptions>()
      .choice("method.cfm.coupling", &FlowMatchingOptions::coupling, "cfm: pairing of noise and data in a minibatch.")
      .number("method.cfm.sigma_min", &FlowMatchingOptions::sigma_min, 0, 1,
        "cfm: width of the conditional path at the data end.", Open::high);
  return table;
}

const OptionTable<MethodOptions>& method_option_table() {
  static const auto table = OptionTable<MethodOptions>()
      .choice("method.type", &MethodOptions::type,
        "diffusion: ddpm (epsilon prediction, linear betas), edm (Karras et al. 2022), cfm (conditional flow "
        "matching).")
      .choice("method.sampler", &MethodOptions::sampler,
        "diffusion: sampler; default = ancestral (ddpm), heun (edm), euler (cfm). ddpm takes ancestral|ddim, "
        "edm and cfm take euler|heun.")
      .number("method.steps", &MethodOptions::steps, 0, kInf,
        "diffusion: sampler steps; 0 = the method's default (ddim 50, edm 18, cfm 100; ancestral always runs all T).")
      .number("method.guidance", &MethodOptions::guidance, 0, kInf,
        "diffusion, conditional: classifier-free guidance weight w (out_uncond + w (out_cond - out_uncond)); 1 = none.")
      .number("method.sample_batch", &MethodOptions::sample_batch, 1, kInf,
        "diffusion: samples per sampler call (memory vs speed; results do not depend on it).")
      .choice("method.sample_precision", &MethodOptions::sample_precision,
        "diffusion sampling: bf16 = the network's forward passes under bfloat16 autocast (the sampler's step "
        "arithmetic stays float64); fp32 = full float32. Effect on FID: docs/results.md.")
      .flag("method.sample_cuda_graphs", &MethodOptions::sample_cuda_graphs,
        "diffusion sampling on CUDA: the network call of every sampler step after a batch's first replays one "
        "captured CUDA graph (fewer kernel launches; same numbers). Off until measured on a GPU: docs/gpu.md.")
      .choice("method.noise", &MethodOptions::noise,
        "diffusion sampling: philox = counter-based noise made on the compute device (sample i depends only on its "
        "seed; identical on CPU and GPU; no host copies); torch = every draw from a CPU generator seeded with the "
        "sample's seed, in the order and dtype of NVlabs/edm's generate.py on a CPU (the latent "
        "torch.randn(shape, generator=torch.Generator().manual_seed(seed)) in float32, then the class, then the "
        "sampler's noise), so a converted EDM network gives generate.py's images per seed; slower on a GPU.")
      .nest(&MethodOptions::ddpm, ddpm_option_table())
      .nest(&MethodOptions::edm, edm_option_table())
      .nest(&MethodOptions::cfm, cfm_option_table());
  return table;
}

void validate(const MethodOptions& o) {
  check_ranges(method_option_table(), o, "method");
  if (o.steps < 0)
    throw UsageError(fmt::format("sampler steps = {} is invalid; expected >= 1, or 0 for the default", o.steps));
  if (!sampler_fits_method(o.sampler, o.type))
    throw UsageError(fmt::format("sampler '{}' does not fit method '{}' (it takes {})", choice_name(o.sampler),
                                 choice_name(o.type), samplers_of(o.type)));
  if (o.type == MethodType::ddpm && o.steps > 0) {
    const auto T = o.ddpm.num_timesteps;
    if (o.steps > T) throw UsageError(fmt::format("method.steps = {} exceeds method.ddpm.timesteps = {}", o.steps, T));
    if (o.sampler != SamplerChoice::ddim && o.steps != T)
      throw UsageError(fmt::format(
        "DDPM ancestral sampling runs all {} steps; steps = {} needs sampler 'ddim'", T, o.steps));
  }
  if (o.ddpm.beta_end < o.ddpm.beta_start)
    throw UsageError(fmt::format(
        "method.ddpm.beta_end = {} is below beta_start = {}", o.ddpm.beta_end, o.ddpm.beta_start));
  if (o.edm.sigma_max <= o.edm.sigma_min)
    throw UsageError(fmt::format(
        "method.edm.sigma_max = {} must exceed sigma_min = {}", o.edm.sigma_max, o.edm.sigma_min));
}

}  // namespace retrain
