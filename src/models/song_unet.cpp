// SongUNet: option checks, the module tree in edm's order and names, and the forward pass.
#include "retrain/models/song_unet.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "retrain/core/errors.hpp"
#include "retrain/core/require.hpp"
#include "retrain/models/state_dict.hpp"

namespace retrain {
namespace {

std::string level_name(std::int64_t res, std::string_view suffix) { return fmt::format("{}x{}_{}", res, res, suffix); }

}  // namespace

SongUNetOptions SongUNetOptions::ddpmpp(std::int64_t img_resolution, std::int64_t channels, std::int64_t label_dim) {
  SongUNetOptions o;
  o.img_resolution = img_resolution;
  o.in_channels = o.out_channels = channels;
  o.label_dim = label_dim;
  o.channel_mult = {2, 2, 2};
  return o;
}

SongUNetOptions SongUNetOptions::ncsnpp(std::int64_t img_resolution, std::int64_t channels, std::int64_t label_dim) {
  auto o = ddpmpp(img_resolution, channels, label_dim);
  o.embedding_type = NoiseEmbedding::fourier;
  o.channel_mult_noise = 2;
  o.encoder_type = UNetEncoder::residual;
  o.resample_filter = {1, 3, 3, 1};
  return o;
}

SongUNet::SongUNet(const SongUNetOptions& o) : options_(o) {
  const auto levels = static_cast<std::int64_t>(o.channel_mult.size());
  require(levels >= 1 && std::ranges::all_of(o.channel_mult, [](auto m) { return m >= 1; }), "SongUNet", "channel_mult",
          "a non-empty list of positive multipliers");
  require(o.img_resolution >= 1 && o.img_resolution % (std::int64_t{1} << (levels - 1)) == 0, "SongUNet", "img_resolution",
          fmt::format("a positive multiple of 2^(levels-1) = {}", std::int64_t{1} << (levels - 1)));
  require(o.in_channels >= 1 && o.out_channels >= 1, "SongUNet", "in_channels/out_channels", ">= 1");
  require(o.label_dim >= 0 && o.augment_dim >= 0, "SongUNet", "label_dim/augment_dim", ">= 0");
  require(o.model_channels >= 4 && o.channel_mult_emb >= 1 && o.channel_mult_noise >= 1 && o.num_blocks >= 1, "SongUNet",
          "model_channels/channel_mult_emb/channel_mult_noise/num_blocks", "model_channels >= 4, the others >= 1");
  require(o.model_channels * o.channel_mult_noise >= 4 && o.model_channels * o.channel_mult_noise % 2 == 0, "SongUNet",
          "model_channels * channel_mult_noise", "an even number >= 4");
  require(o.dropout >= 0 && o.dropout < 1 && o.label_dropout >= 0 && o.label_dropout < 1, "SongUNet", "dropout/label_dropout",
          "in [0, 1)");
  require(!o.resample_filter.empty(), "SongUNet", "resample_filter", "a non-empty list of taps");

  const auto emb_channels = o.model_channels * o.channel_mult_emb;
  const auto noise_channels = o.model_channels * o.channel_mult_noise;
  const LayerInit init{InitMode::xavier_uniform, 1.0, 0.0};
  const LayerInit init_zero{InitMode::xavier_uniform, 1e-5, 0.0};
  const LayerInit init_attn{InitMode::xavier_uniform, std::sqrt(0.2), 0.0};

  if (o.embedding_type == NoiseEmbedding::positional)
    positional_ = register_module("map_noise", PositionalEmbedding(noise_channels, 10000.0, /*endpoint=*/true));
  else
    fourier_ = register_module("map_noise", FourierEmbedding(noise_channels, 16.0));
  if (o.label_dim > 0) map_label_ = register_module("map_label", EdmLinear(o.label_dim, noise_channels, true, init));
  if (o.augment_dim > 0)
    map_augment_ = register_module("map_augment", EdmLinear(o.augment_dim, noise_channels, false, init));
  map_layer0_ = register_module("map_layer0", EdmLinear(noise_channels, emb_channels, true, init));
  map_layer1_ = register_module("map_layer1", EdmLinear(emb_channels, emb_channels, true, init));

  UNetBlockOptions block;
  block.emb_channels = emb_channels;
  block.num_heads = 1;
  block.dropout = o.dropout;
  block.skip_scale = std::sqrt(0.5);
  block.eps = 1e-6;
  block.resample_filter = o.resample_filter;
  block.resample_proj = true;
  block.adaptive_scale = false;
  block.init = init;
  block.init_zero = init_zero;
  block.init_attn = init_attn;

  std::vector<std::int64_t> skips;
  enc_ = register_module("enc", torch::nn::ModuleDict());
  const auto cout = build_encoder(block, skips);
  dec_ = register_module("dec", torch::nn::ModuleDict());
  build_decoder(block, skips, cout);
}

void SongUNet::add(torch::nn::ModuleDict& dict, std::vector<Step>& steps, const std::string& name, Role role,
                   std::shared_ptr<torch::nn::Module> module) {
  dict->update(std::vector<std::pair<std::string, std::shared_ptr<torch::nn::Module>>>{{name, module}});
  steps.push_back({role, std::move(module)});
}

std::int64_t SongUNet::build_encoder(const UNetBlockOptions& block, std::vector<std::int64_t>& skips) {
  const auto& o = options_;
  const LayerInit init = block.init;
  auto conv = [&](std::int64_t cin, std::int64_t cout, std::int64_t kernel) {
    EdmConv2dOptions c;
    c.in_channels = cin;
    c.out_channels = cout;
    c.kernel = kernel;
    c.resample_filter = o.resample_filter;
    c.init = init;
    return c;
  };
  auto unet_block = [&](std::int64_t cin, std::int64_t cout) {
    auto b = block;
    b.in_channels = cin;
    b.out_channels = cout;
    return b;
  };
  std::int64_t cout = o.in_channels, caux = o.in_channels;
  for (std::size_t level = 0; level < o.channel_mult.size(); ++level) {
    const auto res = o.img_resolution >> level;
    if (level == 0) {
      const auto cin = cout;
      cout = o.model_channels;
      add(enc_, enc_steps_, level_name(res, "conv"), Role::conv, EdmConv2d(conv(cin, cout, 3)).ptr());
      skips.push_back(cout);
    } else {
      auto down = unet_block(cout, cout);
      down.down = true;
      add(enc_, enc_steps_, level_name(res, "down"), Role::block, UNetBlock(down).ptr());
      skips.push_back(cout);
      if (o.encoder_type == UNetEncoder::skip) {
        auto aux_down = conv(caux, caux, 0);
        aux_down.down = true;
        add(enc_, enc_steps_, level_name(res, "aux_down"), Role::aux_down, EdmConv2d(aux_down).ptr());
        add(enc_, enc_steps_, level_name(res, "aux_skip"), Role::aux_skip, EdmConv2d(conv(caux, cout, 1)).ptr());
      }
      if (o.encoder_type == UNetEncoder::residual) {
        auto residual = conv(caux, cout, 3);
        residual.down = true;
        residual.fused_resample = true;
        add(enc_, enc_steps_, level_name(res, "aux_residual"), Role::aux_residual, EdmConv2d(residual).ptr());
        caux = cout;
      }
    }
    for (std::int64_t idx = 0; idx < o.num_blocks; ++idx) {
      auto b = unet_block(cout, o.model_channels * o.channel_mult[level]);
      b.attention = std::ranges::find(o.attn_resolutions, res) != o.attn_resolutions.end();
      cout = b.out_channels;
      add(enc_, enc_steps_, level_name(res, fmt::format("block{}", idx)), Role::block, UNetBlock(b).ptr());
      skips.push_back(cout);
    }
  }
  return cout;
}

void SongUNet::build_decoder(const UNetBlockOptions& block, std::vector<std::int64_t>& skips, std::int64_t cout) {
  const auto& o = options_;
  const auto levels = static_cast<std::int64_t>(o.channel_mult.size());
  auto unet_block = [&](std::int64_t cin, std::int64_t cout_) {
    auto b = block;
    b.in_channels = cin;
    b.out_channels = cout_;
    return b;
  };
  for (auto level = levels - 1; level >= 0; --level) {
    const auto res = o.img_resolution >> level;
    if (level == levels - 1) {
      auto in0 = unet_block(cout, cout);
      in0.attention = true;
      add(dec_, dec_steps_, level_name(res, "in0"), Role::block, UNetBlock(in0).ptr());
      add(dec_, dec_steps_, level_name(res, "in1"), Role::block, UNetBlock(unet_block(cout, cout)).ptr());
    } else {
      auto up = unet_block(cout, cout);
      up.up = true;
      add(dec_, dec_steps_, level_name(res, "up"), Role::block, UNetBlock(up).ptr());
    }
    for (std::int64_t idx = 0; idx <= o.num_blocks; ++idx) {
      auto b = unet_block(cout + skips.back(), o.model_channels * o.channel_mult[level]);
      skips.pop_back();
      b.attention = idx == o.num_blocks && std::ranges::find(o.attn_resolutions, res) != o.attn_resolutions.end();
      cout = b.out_channels;
      add(dec_, dec_steps_, level_name(res, fmt::format("block{}", idx)), Role::block_with_skip, UNetBlock(b).ptr());
    }
    if (o.decoder_type == UNetDecoder::skip || level == 0) {
      if (o.decoder_type == UNetDecoder::skip && level < levels - 1) {
        EdmConv2dOptions aux_up;
        aux_up.in_channels = aux_up.out_channels = o.out_channels;
        aux_up.kernel = 0;
        aux_up.up = true;
        aux_up.resample_filter = o.resample_filter;
        add(dec_, dec_steps_, level_name(res, "aux_up"), Role::aux_up, EdmConv2d(aux_up).ptr());
      }
      add(dec_, dec_steps_, level_name(res, "aux_norm"), Role::aux_norm, EdmGroupNorm(cout, 1e-6).ptr());
      EdmConv2dOptions aux_conv;
      aux_conv.in_channels = cout;
      aux_conv.out_channels = o.out_channels;
      aux_conv.kernel = 3;
      aux_conv.init = block.init_zero;
      add(dec_, dec_steps_, level_name(res, "aux_conv"), Role::aux_conv, EdmConv2d(aux_conv).ptr());
    }
  }
}

torch::Tensor SongUNet::embed(const torch::Tensor& noise_level, const torch::Tensor& labels, std::int64_t batch) {
  auto emb = positional_ ? positional_(noise_level) : fourier_(noise_level);
  emb = emb.reshape({emb.size(0), 2, -1}).flip(1).reshape(emb.sizes());  // cos|sin -> sin|cos, as edm
  if (map_label_) {
    TORCH_CHECK(labels.defined() && labels.dim() == 1 && labels.size(0) == batch, "SongUNet with ", options_.label_dim,
                " classes needs labels [", batch, "]");
    // Label -1 means "no class" (a zero vector, as label dropout gives): classifier-free guidance.
    const auto l = labels.to(torch::kLong);
    auto onehot = (torch::one_hot(l.clamp_min(0), options_.label_dim) * l.ge(0).unsqueeze(1)).to(emb.scalar_type());
    if (is_training() && options_.label_dropout > 0)
      onehot = onehot * (torch::rand({batch, 1}, onehot.options()) >= options_.label_dropout).to(onehot.scalar_type());
    emb = emb + map_label_(onehot * std::sqrt(static_cast<double>(options_.label_dim)));
  }
  // map_augment has no bias and the augmentation labels are zero here, so its term vanishes.
  emb = torch::silu(map_layer0_(emb));
  return torch::silu(map_layer1_(emb));
}

torch::Tensor SongUNet::forward(const torch::Tensor& input, const torch::Tensor& noise_level, const torch::Tensor& labels) {
  const auto& o = options_;
  TORCH_CHECK(input.dim() == 4 && input.size(1) == o.in_channels && input.size(2) == o.img_resolution &&
                  input.size(3) == o.img_resolution,
              "SongUNet expects x [N, ", o.in_channels, ", ", o.img_resolution, ", ", o.img_resolution, "], got ",
              input.sizes());
  TORCH_CHECK(noise_level.dim() == 1 && noise_level.size(0) == input.size(0), "SongUNet expects noise_level [",
              input.size(0), "], got ", noise_level.sizes());
  const auto emb = embed(noise_level, labels, input.size(0));

  std::vector<torch::Tensor> skips;
  auto x = input, aux = input;
  for (const auto& [role, module] : enc_steps_) {
    switch (role) {
      case Role::aux_down: aux = module->as<EdmConv2dImpl>()->forward(aux); break;
      case Role::aux_skip: x = skips.back() = x + module->as<EdmConv2dImpl>()->forward(aux); break;
      case Role::aux_residual:
        x = skips.back() = aux = (x + module->as<EdmConv2dImpl>()->forward(aux)) / std::sqrt(2.0);
        break;
      case Role::conv: skips.push_back(x = module->as<EdmConv2dImpl>()->forward(x)); break;
      default: skips.push_back(x = module->as<UNetBlockImpl>()->forward(x, emb)); break;
    }
  }

  torch::Tensor out, tmp;
  for (const auto& [role, module] : dec_steps_) {
    switch (role) {
      case Role::aux_up: out = module->as<EdmConv2dImpl>()->forward(out); break;
      case Role::aux_norm: tmp = module->as<EdmGroupNormImpl>()->forward(x); break;
      case Role::aux_conv:
        tmp = module->as<EdmConv2dImpl>()->forward(torch::silu(tmp));
        out = out.defined() ? tmp + out : tmp;
        break;
      case Role::block_with_skip:
        x = torch::cat({x, skips.back()}, 1);
        skips.pop_back();
        x = module->as<UNetBlockImpl>()->forward(x, emb);
        break;
      default: x = module->as<UNetBlockImpl>()->forward(x, emb); break;
    }
  }
  return out;
}

std::shared_ptr<Denoiser> SongUNet::replicate() const { return replicate_network(*this); }

}  // namespace retrain
