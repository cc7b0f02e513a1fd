// EMA: decay from a half-life, and the foreach update.
#include "retrain/train/ema.hpp"

#include <algorithm>
#include <cmath>

namespace retrain {

double ema_beta(const EmaOptions& options, std::int64_t batch, std::int64_t images_seen, std::int64_t update) {
  if (options.halflife_kimg <= 0) {
    if (!options.decay_warmup) return options.decay;
    const auto k = static_cast<double>(update);
    return std::min(options.decay, (1.0 + k) / (10.0 + k));
  }
  double halflife = options.halflife_kimg * 1000;
  if (options.rampup_ratio > 0) halflife = std::min(halflife, static_cast<double>(images_seen) * options.rampup_ratio);
  return std::pow(0.5, static_cast<double>(batch) / std::max(halflife, 1e-8));
}

void ema_update(torch::nn::Module& ema, const torch::nn::Module& net, double beta) {
  torch::NoGradGuard no_grad;
  auto ema_params = ema.parameters(), net_params = net.parameters();
  TORCH_CHECK(ema_params.size() == net_params.size(), "ema_update: modules differ in parameter count");
  at::_foreach_lerp_(ema_params, net_params, 1.0 - beta);
  auto ema_buffers = ema.buffers(), net_buffers = net.buffers();
  TORCH_CHECK(ema_buffers.size() == net_buffers.size(), "ema_update: modules differ in buffer count");
  for (std::size_t i = 0; i < ema_buffers.size(); ++i) ema_buffers[i].copy_(net_buffers[i]);
}

}  // namespace retrain
