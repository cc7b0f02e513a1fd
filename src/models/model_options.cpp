// The model.* keys (model_options.hpp) and the rules between them.
#include "retrain/models/model_options.hpp"

#include <fmt/format.h>

#include "retrain/core/errors.hpp"

namespace retrain {

using option_detail::kInf;

const OptionTable<ModelOptions>& model_option_table() {
  static const auto table = OptionTable<ModelOptions>()
      .choice("model.arch", &ModelOptions::arch,
        "diffusion: the network. mlp: residual MLP for points; ddpmpp / ncsnpp: EDM's SongUNet (Song et al. 2021); "
        "ddpm_unet: the U-Net of Ho et al. 2020 (ddpm-torch names).")
      .number("model.width", &ModelOptions::width, 1, 65536,
        "diffusion: hidden width of the MLP denoiser.")
      .number("model.depth", &ModelOptions::depth, 1, 1024,
        "diffusion: residual blocks of the MLP denoiser.")
      .number("model.embedding_dim", &ModelOptions::embedding_dim, 2, 65536,
        "diffusion: features of the noise-level embedding (even).")
      .choice("model.embedding", &ModelOptions::embedding,
        "mlp: noise-level embedding (positional as DDPM/ddpm++, random Fourier as ncsn++).")
      .number("model.channels", &ModelOptions::channels, 1, 4096,
        "unets: base channel count (SongUNet model_channels, DDPM hid_channels).")
      .numbers("model.channel_mult", &ModelOptions::channel_mult,
        "unets: channel multiplier per resolution level; [] = preset (ddpmpp/ncsnpp [2, 2, 2], ddpm_unet [1, 2, 2, "
        "2]).", 1)
      .number("model.num_blocks", &ModelOptions::num_blocks, 0, 64,
        "unets: residual blocks per level; 0 = preset (ddpmpp/ncsnpp 4, ddpm_unet 2).")
      .numbers("model.attn_resolutions", &ModelOptions::attn_resolutions, "unets: resolutions with self-attention.", 1)
      .number("model.dropout", &ModelOptions::dropout, 0, 0.999,
        "unets: dropout probability (EDM CIFAR-10 0.13, FFHQ 0.05; DDPM 0.1).")
      .number("model.label_dropout", &ModelOptions::label_dropout, 0, 0.999,
        "ddpmpp/ncsnpp, conditional: probability of training a sample without its class (classifier-free guidance).")
      .number("model.augment_dim", &ModelOptions::augment_dim, 0, 1024,
        "ddpmpp/ncsnpp: augmentation-label features (9 in EDM's augmented nets; needed to load them); 0 = none.");
  return table;
}

void validate(const ModelOptions& c) {
  check_ranges(model_option_table(), c, "model");
  const auto fail = [](const std::string& msg) { throw UsageError(msg); };
  if (c.embedding_dim % 2 != 0)
    fail(fmt::format("model.embedding_dim = {} must be even (cos and sin halves)", c.embedding_dim));
  if (c.arch == Arch::ddpm_unet && c.channels % 32 != 0)
    fail(fmt::format("model.channels = {}: ddpm_unet needs a multiple of 32 (GroupNorm with 32 groups)", c.channels));
  if (c.arch != Arch::mlp && c.channels < 4)
    fail(fmt::format("model.channels = {}: the image networks need at least 4", c.channels));
  if (c.augment_dim > 0 && c.arch == Arch::ddpm_unet)
    fail(fmt::format("model.augment_dim = {} applies to model.arch ddpmpp or ncsnpp, not ddpm_unet", c.augment_dim));
}

}  // namespace retrain
