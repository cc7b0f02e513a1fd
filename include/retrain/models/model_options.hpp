// The model.* keys: which denoiser network and its size. The member initialisers are the keys'
// defaults; model_option_table() registers them and make_network builds a network from them.
#pragma once
#include <cstdint>
#include <vector>

#include "retrain/core/choices.hpp"
#include "retrain/core/options.hpp"

namespace retrain {

struct ModelOptions {
  Arch arch = Arch::mlp;                     // mlp (points) | ddpmpp | ncsnpp | ddpm_unet (images)
  std::int64_t width = 256;                  // mlp
  std::int64_t depth = 4;                    // mlp
  std::int64_t embedding_dim = 64;           // mlp
  NoiseEmbedding embedding = NoiseEmbedding::positional;  // mlp
  std::int64_t channels = 128;               // unets: base channel count
  std::vector<double> channel_mult;          // unets: per level; [] = the architecture's preset
  std::int64_t num_blocks = 0;               // unets: residual blocks per level; 0 = preset (4 | 2)
  std::vector<double> attn_resolutions = {16};
  double dropout = 0.1;
  double label_dropout = 0.0;                // ddpmpp/ncsnpp: for classifier-free guidance
  std::int64_t augment_dim = 0;              // ddpmpp/ncsnpp: augmentation-label width (loads EDM nets)
};

const OptionTable<ModelOptions>& model_option_table();

// The rules between model keys (even embedding, the UNets' channel constraints, augment_dim only for
// SongUNets); UsageError naming the values. make_network checks them too.
void validate(const ModelOptions& options);

}  // namespace retrain
