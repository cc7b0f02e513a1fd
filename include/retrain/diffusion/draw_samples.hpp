// Drawing many samples from a network in batches: class labels (when conditional) come from each
// sample's own noise source unless fixed, then the method's sampler runs batch by batch. Per-sample
// torch-mode noise draws in NVlabs/edm generate.py's order: the latent (float32, then cast to the
// sampler's dtype), then the class; philox noise draws the class first (draw 0), then the latent.
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "retrain/data/real_data.hpp"
#include "retrain/diffusion/method.hpp"
#include "retrain/diffusion/method_options.hpp"

namespace retrain {

struct DrawOptions {
  std::vector<std::int64_t> sample_shape;  // [D] or [C, R, R]
  std::int64_t num_classes = 0;            // 0 = unconditional
  std::optional<std::int64_t> fixed_class; // every sample of this class (conditional models only)
  std::int64_t batch = MethodOptions{}.sample_batch;  // samples per sampler call
};

// n samples: x float32 [n, ...] on the CPU, labels [n] (conditional) or undefined. The network is put
// in eval mode for the duration. UsageError for a class out of range.
SampleSet draw_samples(const Method& method, Denoiser& net, std::int64_t n, SampleNoise noise, const DrawOptions& options);

}  // namespace retrain
