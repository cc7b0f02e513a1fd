// What every feature extractor shares: where and in what batch size it runs, and the loop that feeds
// uint8 images through a network batch by batch and checks what comes out.
#pragma once
#include <torch/types.h>

#include <cstdint>
#include <functional>
#include <string>

namespace retrain {

struct ExtractorOptions {
  torch::Device device = torch::kCPU;
  std::int64_t batch_size = 64;  // images per network call
};

// Checks `images` (uint8 [N, C, H, W] on the CPU, N >= 1), hands `network` each batch of at most
// options.batch_size images (still uint8, moved to options.device) under NoGradGuard, and returns the
// outputs flattened to [B, D] and joined: float32 [N, D] on the CPU. UsageError starting with `source`
// when the input or an output is unusable (fewer than 2 dims, wrong row count, NaN/Inf, D changing).
torch::Tensor features_in_batches(const torch::Tensor& images, const ExtractorOptions& options,
                                  const std::string& source,
                                  const std::function<torch::Tensor(const torch::Tensor&)>& network);

}  // namespace retrain
