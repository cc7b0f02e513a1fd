// Exponential moving average of network weights: the per-step decay beta (fixed, or from a half-life
// in images as in EDM) and the fused update ema = beta * ema + (1 - beta) * net.
#pragma once
#include <torch/nn/module.h>

#include <cstdint>

namespace retrain {

struct EmaOptions {
  double decay = 0.999;          // beta per step, used when halflife_kimg == 0
  double halflife_kimg = 0.0;    // > 0: beta = 0.5^(batch / halflife), the weight halves every 1000 halflife_kimg images
  double rampup_ratio = 0.0;     // > 0: halflife = min(halflife, images_seen * rampup_ratio) (EDM: 0.05)
  bool decay_warmup = false;     // with `decay`: beta = min(decay, (1 + k) / (10 + k)) at update k (ddpm-torch)
  bool operator==(const EmaOptions&) const = default;
};

// beta for update number `update` (1 for the first), a step of `batch` images taken after
// `images_seen` images.
double ema_beta(const EmaOptions& options, std::int64_t batch, std::int64_t images_seen, std::int64_t update);

// ema's parameters <- lerp(ema, net, 1 - beta) with one fused foreach op; buffers are copied.
// Both modules must have the same architecture (parameters in the same order).
void ema_update(torch::nn::Module& ema, const torch::nn::Module& net, double beta);

}  // namespace retrain
