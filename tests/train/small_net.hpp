// A small conditional MLP denoiser (width 32, depth 2, 3 classes) for Trainer tests, initialised from
// `init_seed`.
#pragma once
#include <torch/torch.h>

#include <memory>

#include "retrain/models/mlp_denoiser.hpp"

namespace retrain::test {

inline std::shared_ptr<MlpDenoiser> small_net(std::uint64_t init_seed) {
  torch::manual_seed(init_seed);
  MlpDenoiserOptions o;
  o.width = 32;
  o.depth = 2;
  o.embedding_dim = 16;
  o.num_classes = 3;
  return std::make_shared<MlpDenoiser>(o);
}

}  // namespace retrain::test
