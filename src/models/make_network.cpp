// make_network: presets, then the keys the user set.
#include "retrain/models/make_network.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "retrain/models/model_options.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/models/ddpm_unet.hpp"
#include "retrain/models/mlp_denoiser.hpp"
#include "retrain/models/song_unet.hpp"

namespace retrain {
namespace {

std::vector<std::int64_t> integers(const std::vector<double>& values, const char* key) {
  std::vector<std::int64_t> out;
  for (double v : values) {
    if (v < 1 || v != static_cast<double>(static_cast<std::int64_t>(v)))
      throw UsageError(fmt::format("{} must hold positive integers, got {}", key, fmt::join(values, ", ")));
    out.push_back(static_cast<std::int64_t>(v));
  }
  return out;
}

std::shared_ptr<Denoiser> make_mlp(const ModelOptions& c, std::int64_t dim, std::int64_t num_classes) {
  MlpDenoiserOptions o;
  o.dim = dim;
  o.width = c.width;
  o.depth = c.depth;
  o.embedding_dim = c.embedding_dim;
  o.embedding = c.embedding;
  o.num_classes = num_classes;
  return std::make_shared<MlpDenoiser>(o);
}

std::shared_ptr<Denoiser> make_song_unet(const ModelOptions& c, std::int64_t channels, std::int64_t resolution,
                                         std::int64_t num_classes) {
  auto o = c.arch == Arch::ncsnpp ? SongUNetOptions::ncsnpp(resolution, channels, num_classes)
                              : SongUNetOptions::ddpmpp(resolution, channels, num_classes);
  o.model_channels = c.channels;
  if (!c.channel_mult.empty()) o.channel_mult = integers(c.channel_mult, "model.channel_mult");
  if (c.num_blocks > 0) o.num_blocks = c.num_blocks;
  o.attn_resolutions = integers(c.attn_resolutions, "model.attn_resolutions");
  o.dropout = c.dropout;
  o.label_dropout = c.label_dropout;
  o.augment_dim = c.augment_dim;
  return std::make_shared<SongUNet>(o);
}

std::shared_ptr<Denoiser> make_ddpm_unet(const ModelOptions& c, std::int64_t channels, std::int64_t resolution,
                                         std::int64_t num_classes) {
  DdpmUNetOptions o;
  o.img_resolution = resolution;
  o.in_channels = o.out_channels = channels;
  o.hid_channels = c.channels;
  if (!c.channel_mult.empty()) o.ch_multipliers = integers(c.channel_mult, "model.channel_mult");
  if (c.num_blocks > 0) o.num_res_blocks = c.num_blocks;
  const auto attn = integers(c.attn_resolutions, "model.attn_resolutions");
  o.apply_attn.clear();
  for (std::size_t level = 0; level < o.ch_multipliers.size(); ++level)
    o.apply_attn.push_back(std::find(attn.begin(), attn.end(), resolution >> level) != attn.end());
  o.drop_rate = c.dropout;
  o.num_classes = num_classes;
  return std::make_shared<DdpmUNet>(o);
}

}  // namespace

std::shared_ptr<Denoiser> make_network(const ModelOptions& config, const std::vector<std::int64_t>& shape,
                                       std::int64_t num_classes) {
  validate(config);
  if (config.arch == Arch::mlp) {
    if (shape.size() != 1)
      throw UsageError(fmt::format("model.arch: mlp takes points; the data are shaped [{}]", fmt::join(shape, ", ")));
    return make_mlp(config, shape[0], num_classes);
  }
  if (shape.size() != 3 || shape[1] != shape[2])
    throw UsageError(fmt::format("model.arch: {} takes square images [C, R, R]; the data are shaped [{}]", config.arch,
                                 fmt::join(shape, ", ")));
  if (config.arch == Arch::ddpm_unet) return make_ddpm_unet(config, shape[0], shape[1], num_classes);
  return make_song_unet(config, shape[0], shape[1], num_classes);  // ddpmpp or ncsnpp
}

}  // namespace retrain
