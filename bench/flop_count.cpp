// forward_flops: walks each network's layers in the order its constructor builds them (song_unet.cpp,
// unet_block.cpp, edm_layers.cpp, ddpm_unet.cpp), tracking channels and resolution.
#include "flop_count.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace retrain::bench {
namespace {

using std::int64_t;

enum class Resample { none, up, down };

class Counter {
 public:
  // A dense k x k convolution from cin to cout channels with res x res outputs.
  void conv(int64_t cin, int64_t cout, int64_t k, int64_t res) { flops_.conv += 2 * cin * cout * k * k * res * res; }
  // A depthwise taps x taps filter over c channels at res x res pixels (the outputs of a strided
  // down-sampling filter, the inputs of a transposed up-sampling one).
  void depthwise(int64_t c, int64_t taps, int64_t res) { flops_.conv += 2 * c * taps * taps * res * res; }
  void linear(int64_t in, int64_t out) { flops_.linear += 2 * in * out; }
  // q.k over L = res^2 positions and C channels (all heads together), then the weighted sum of v.
  void attention(int64_t c, int64_t res) { flops_.attention += 2 * (2 * res * res * res * res * c); }
  void group_norm(int64_t c, int64_t res) { flops_.group_norm += kGroupNormFlopsPerElement * c * res * res; }
  const FlopCount& flops() const { return flops_; }

 private:
  FlopCount flops_;
};

// EdmConv2dImpl::forward at input resolution `res`; returns the output resolution.
int64_t edm_conv(Counter& c, int64_t cin, int64_t cout, int64_t kernel, Resample resample, bool fused, int64_t taps,
                 int64_t res) {
  if (fused && resample == Resample::down && kernel > 0) {
    const auto padded = res + 2 * ((taps - 1) / 2);  // convolved with the padding of both kernels
    c.conv(cin, cout, kernel, padded);
    c.depthwise(cout, taps, res / 2);
    return res / 2;
  }
  if (resample == Resample::up) {
    c.depthwise(cin, taps, res);
    res *= 2;
  }
  if (resample == Resample::down) {
    res /= 2;
    c.depthwise(cin, taps, res);
  }
  if (kernel > 0) c.conv(cin, cout, kernel, res);
  return res;
}

// UNetBlockImpl::forward at input resolution `res`; returns the output resolution.
int64_t unet_block(Counter& c, const SongUNetOptions& o, int64_t cin, int64_t cout, Resample resample, bool attention,
                   int64_t res) {
  const auto taps = static_cast<int64_t>(o.resample_filter.size());
  const auto emb_channels = o.model_channels * o.channel_mult_emb;
  c.group_norm(cin, res);
  const auto out_res = edm_conv(c, cin, cout, 3, resample, false, taps, res);
  c.linear(emb_channels, cout);  // SongUNet's blocks: adaptive_scale false, one shift per channel
  c.group_norm(cout, out_res);
  c.conv(cout, cout, 3, out_res);
  // SongUNet sets resample_proj, so a skip that resamples also projects (1x1).
  if (cout != cin || resample != Resample::none) edm_conv(c, cin, cout, 1, resample, false, taps, res);
  if (attention) {
    c.group_norm(cout, out_res);
    c.conv(cout, 3 * cout, 1, out_res);
    c.attention(cout, out_res);
    c.conv(cout, cout, 1, out_res);
  }
  return out_res;
}

bool has_attention(const SongUNetOptions& o, int64_t res) {
  return std::ranges::find(o.attn_resolutions, res) != o.attn_resolutions.end();
}

void ddpm_residual(Counter& c, int64_t temb, int64_t cin, int64_t cout, int64_t res) {
  c.group_norm(cin, res);
  c.conv(cin, cout, 3, res);
  c.linear(temb, cout);
  c.group_norm(cout, res);
  c.conv(cout, cout, 3, res);
  if (cin != cout) c.conv(cin, cout, 1, res);
}

void ddpm_attention(Counter& c, int64_t channels, int64_t res) {
  c.group_norm(channels, res);
  c.conv(channels, 3 * channels, 1, res);
  c.attention(channels, res);
  c.conv(channels, channels, 1, res);
}

}  // namespace

FlopCount forward_flops(const SongUNetOptions& o) {
  Counter c;
  const auto noise_channels = o.model_channels * o.channel_mult_noise;
  const auto emb_channels = o.model_channels * o.channel_mult_emb;
  const auto taps = static_cast<int64_t>(o.resample_filter.size());
  const auto levels = static_cast<int64_t>(o.channel_mult.size());
  if (o.label_dim > 0) c.linear(o.label_dim, noise_channels);
  // map_augment is not evaluated: its input (the augmentation labels) is zero and it has no bias.
  c.linear(noise_channels, emb_channels);
  c.linear(emb_channels, emb_channels);

  std::vector<int64_t> skips;
  int64_t cout = o.in_channels, caux = o.in_channels;
  for (int64_t level = 0; level < levels; ++level) {
    const auto res = o.img_resolution >> level;
    if (level == 0) {
      c.conv(cout, o.model_channels, 3, res);
      cout = o.model_channels;
    } else {
      unet_block(c, o, cout, cout, Resample::down, false, 2 * res);
      if (o.encoder_type == UNetEncoder::skip) {
        edm_conv(c, caux, caux, 0, Resample::down, false, taps, 2 * res);
        c.conv(caux, cout, 1, res);
      }
      if (o.encoder_type == UNetEncoder::residual) {
        edm_conv(c, caux, cout, 3, Resample::down, true, taps, 2 * res);
        caux = cout;
      }
    }
    skips.push_back(cout);
    for (int64_t idx = 0; idx < o.num_blocks; ++idx) {
      const auto out = o.model_channels * o.channel_mult[level];
      unet_block(c, o, cout, out, Resample::none, has_attention(o, res), res);
      skips.push_back(cout = out);
    }
  }

  for (auto level = levels - 1; level >= 0; --level) {
    const auto res = o.img_resolution >> level;
    if (level == levels - 1) {
      unet_block(c, o, cout, cout, Resample::none, true, res);
      unet_block(c, o, cout, cout, Resample::none, false, res);
    } else {
      unet_block(c, o, cout, cout, Resample::up, false, res / 2);
    }
    for (int64_t idx = 0; idx <= o.num_blocks; ++idx) {
      const auto out = o.model_channels * o.channel_mult[level];
      unet_block(c, o, cout + skips.back(), out, Resample::none, idx == o.num_blocks && has_attention(o, res), res);
      skips.pop_back();
      cout = out;
    }
    if (o.decoder_type == UNetDecoder::skip || level == 0) {
      if (o.decoder_type == UNetDecoder::skip && level < levels - 1)
        edm_conv(c, o.out_channels, o.out_channels, 0, Resample::up, false, taps, res / 2);
      c.group_norm(cout, res);
      c.conv(cout, o.out_channels, 3, res);
    }
  }
  return c.flops();
}

FlopCount forward_flops(const DdpmUNetOptions& o) {
  Counter c;
  const auto temb = o.time_embedding_dim > 0 ? o.time_embedding_dim : 4 * o.hid_channels;
  const auto ch = o.hid_channels;
  const auto levels = static_cast<int64_t>(o.ch_multipliers.size());
  std::vector<int64_t> chs;
  for (auto m : o.ch_multipliers) chs.push_back(ch * m);
  const auto stage = [&](int64_t level, int64_t cin, int64_t cout) {
    const auto res = o.img_resolution >> level;
    ddpm_residual(c, temb, cin, cout, res);
    if (o.apply_attn[level]) ddpm_attention(c, cout, res);
  };

  c.linear(ch, temb);
  c.linear(temb, temb);
  c.conv(o.in_channels, ch, 3, o.img_resolution);
  for (int64_t level = 0; level < levels; ++level) {
    const auto prev = level > 0 ? chs[level - 1] : ch;
    for (int64_t j = 0; j < o.num_res_blocks; ++j) stage(level, j ? chs[level] : prev, chs[level]);
    if (level != levels - 1) c.conv(chs[level], chs[level], 3, (o.img_resolution >> level) / 2);  // stride 2
  }
  const auto mid = chs.back(), mid_res = o.img_resolution >> (levels - 1);
  ddpm_residual(c, temb, mid, mid, mid_res);
  ddpm_attention(c, mid, mid_res);
  ddpm_residual(c, temb, mid, mid, mid_res);
  for (auto level = levels - 1; level >= 0; --level) {
    const auto next = level == 0 ? ch : chs[level - 1];
    const auto prev = level == levels - 1 ? chs.back() : chs[level + 1];
    const auto curr = chs[level];
    stage(level, prev + curr, curr);
    for (int64_t j = 1; j < o.num_res_blocks; ++j) stage(level, 2 * curr, curr);
    stage(level, next + curr, curr);
    if (level != 0) c.conv(curr, curr, 3, 2 * (o.img_resolution >> level));  // nearest 2x, then 3x3
  }
  c.group_norm(ch, o.img_resolution);
  c.conv(ch, o.out_channels, 3, o.img_resolution);
  return c.flops();
}

FlopCount forward_flops(const Denoiser& net) {
  if (const auto* song = dynamic_cast<const SongUNet*>(&net)) return forward_flops(song->options());
  if (const auto* ddpm = dynamic_cast<const DdpmUNet*>(&net)) return forward_flops(ddpm->options());
  throw std::invalid_argument("forward_flops: the network is neither a SongUNet nor a DdpmUNet; FLOPs are counted "
                              "for the image U-Nets only");
}

}  // namespace retrain::bench
