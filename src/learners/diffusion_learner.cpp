// DiffusionLearner: config mapping, training with progress, sampling from the EMA, evaluation artifacts.
#include "retrain/learners/diffusion_learner.hpp"

#include <fmt/format.h>

#include <cmath>

#include "retrain/core/errors.hpp"
#include "retrain/core/npy.hpp"
#include "retrain/core/progress.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/diffusion/make_method.hpp"
#include "retrain/metrics/point_metrics.hpp"
#include "retrain/models/mlp_denoiser.hpp"
#include "retrain/plots/density.hpp"

namespace retrain {

MethodOptions method_options(const MethodConfig& c) {
  MethodOptions o;
  o.method = c.type;
  o.sampler = c.sampler == "default" ? "" : c.sampler;
  o.steps = c.steps;
  if (c.type == "ddpm") o.variance = c.ddpm.variance;  // the others reject these choices
  if (c.type == "cfm") o.coupling = c.cfm.coupling;
  o.ddpm.num_timesteps = c.ddpm.timesteps;
  o.ddpm.beta_start = c.ddpm.beta_start;
  o.ddpm.beta_end = c.ddpm.beta_end;
  o.ddpm.ddim_eta = c.ddpm.ddim_eta;
  o.edm.sigma_data = c.edm.sigma_data;
  o.edm.p_mean = c.edm.p_mean;
  o.edm.p_std = c.edm.p_std;
  o.edm.sigma_min = c.edm.sigma_min;
  o.edm.sigma_max = c.edm.sigma_max;
  o.edm.rho = c.edm.rho;
  o.edm.s_churn = c.edm.s_churn;
  o.edm.s_min = c.edm.s_min;
  o.edm.s_max = c.edm.s_max;
  o.edm.s_noise = c.edm.s_noise;
  o.cfm.sigma_min = c.cfm.sigma_min;
  return o;
}

TrainerOptions trainer_options(const TrainConfig& c) {
  TrainerOptions o;
  o.optimizer = c.optimizer;
  o.lr = c.lr;
  o.beta1 = c.beta1;
  o.beta2 = c.beta2;
  o.eps = c.eps;
  o.weight_decay = c.weight_decay;
  o.batch_size = c.batch;
  o.lr_warmup_images = static_cast<std::int64_t>(std::llround(c.warmup_kimg * 1000));
  o.ema.halflife_images = c.ema_halflife_kimg * 1000;
  o.ema.decay = c.ema_decay;
  o.ema.rampup_ratio = c.ema_rampup;
  o.grad_clip_norm = c.grad_clip;
  return o;
}

namespace {

// Initial weights come from torch's global generator: seed it from the run seed, so generation 0
// starts from the same network on every run with that seed.
std::shared_ptr<Denoiser> make_network(const Config& c, std::int64_t dim, torch::Device device) {
  torch::manual_seed(derive_seed(c.seed, 0, Stream::Fit));
  MlpDenoiserOptions o;
  o.dim = dim;
  o.width = c.model.width;
  o.depth = c.model.depth;
  o.embedding_dim = c.model.embedding_dim;
  o.embedding = c.model.embedding == "fourier" ? NoiseEmbedding::fourier : NoiseEmbedding::positional;
  auto net = std::make_shared<MlpDenoiser>(o);
  net->to(device);
  return net;
}

}  // namespace

DiffusionLearner::DiffusionLearner(const Config& config, const PointSource& truth, torch::Device device)
    : config_(config),
      truth_(truth),
      device_(device),
      method_(make_method(method_options(config.method))),
      trainer_(make_network(config, truth.dim(), device), method_, trainer_options(config.train)) {}

void DiffusionLearner::fit(const torch::Tensor& data, std::int64_t generation, at::Generator& gen) {
  TORCH_CHECK(data.dim() == 3 && data.size(0) == 1, "diffusion learner expects data [1, N, D], got ", data.sizes());
  const double kimg = generation == 0 ? config_.gen0.kimg : config_.loop.kimg_per_generation;
  const auto images = static_cast<std::int64_t>(std::llround(kimg * 1000));
  Progress progress(fmt::format("gen {} training", generation), images, "img", 10.0);
  last_fit_ = trainer_.fit(data[0].to(device_, torch::kFloat32), torch::Tensor(), images, gen,
                           [&](const FitProgress& p) { progress.update(p.images_done, fmt::format("loss {:.4g}", p.loss)); });
  progress.finish(fmt::format("loss {:.4g} -> {:.4g}", last_fit_.loss_first, last_fit_.loss_last));
}

torch::Tensor DiffusionLearner::sample(std::int64_t n, at::Generator& gen) {
  return method_->sample(*trainer_.ema(), {n, truth_.dim()}, torch::Tensor(), gen).to(torch::kFloat64).unsqueeze(0);
}

nlohmann::json DiffusionLearner::model_summary() const {
  std::int64_t params = 0, buffers = 0, bytes = 0;
  for (const auto& p : trainer_.net()->parameters()) params += p.numel(), bytes += p.numel() * p.element_size();
  for (const auto& b : trainer_.net()->buffers()) buffers += b.numel(), bytes += b.numel() * b.element_size();
  return {{"parameters", params}, {"buffers", buffers}, {"bytes", bytes}};
}

nlohmann::json DiffusionLearner::evaluate(at::Generator& gen, const std::filesystem::path& out_dir) {
  const std::int64_t k = config_.eval.num_samples > 0 ? config_.eval.num_samples : config_.data.n;
  auto generated = sample(k, gen)[0].cpu();
  auto real = truth_.draw(1, k, gen)[0];
  PointMetricOptions options;
  options.projection_seed = config_.seed;
  if (auto modes = truth_.modes()) {
    options.mode_centers = modes->centers;
    options.mode_std = modes->std;
  }
  nlohmann::json m = point_metrics(generated, real, options);
  m["loss"] = last_fit_.loss_last;
  m["images_seen"] = trainer_.images_seen();
  m["nonfinite_steps"] = trainer_.nonfinite_steps();
  save_npy(out_dir / "samples.npy", generated.to(torch::kFloat32));
  write_density_png(out_dir / "density.png", generated);
  return m;
}

}  // namespace retrain
