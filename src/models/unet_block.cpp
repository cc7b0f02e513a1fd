// UNetBlock: the residual path, the embedding affine, the skip projection and self-attention.
#include "retrain/models/unet_block.hpp"

#include "retrain/models/attention.hpp"

namespace retrain {

UNetBlockImpl::UNetBlockImpl(const UNetBlockOptions& o)
    : options_(o),
      num_heads_(!o.attention ? 0 : o.num_heads > 0 ? o.num_heads : o.out_channels / o.channels_per_head) {
  TORCH_CHECK(!o.attention || (num_heads_ > 0 && o.out_channels % num_heads_ == 0),
              "UNetBlock: attention needs out_channels divisible into heads, got out_channels ", o.out_channels,
              " and ", num_heads_, " heads");
  auto conv = [](std::int64_t cin, std::int64_t cout, std::int64_t kernel, const LayerInit& init) {
    EdmConv2dOptions c;
    c.in_channels = cin;
    c.out_channels = cout;
    c.kernel = kernel;
    c.init = init;
    return c;
  };
  norm0_ = register_module("norm0", EdmGroupNorm(o.in_channels, o.eps));
  auto c0 = conv(o.in_channels, o.out_channels, 3, o.init);
  c0.up = o.up;
  c0.down = o.down;
  c0.resample_filter = o.resample_filter;
  conv0_ = register_module("conv0", EdmConv2d(c0));
  affine_ = register_module("affine", EdmLinear(o.emb_channels, o.out_channels * (o.adaptive_scale ? 2 : 1), true, o.init));
  norm1_ = register_module("norm1", EdmGroupNorm(o.out_channels, o.eps));
  conv1_ = register_module("conv1", EdmConv2d(conv(o.out_channels, o.out_channels, 3, o.init_zero)));
  if (o.out_channels != o.in_channels || o.up || o.down) {
    auto s = conv(o.in_channels, o.out_channels, o.resample_proj || o.out_channels != o.in_channels ? 1 : 0, o.init);
    s.up = o.up;
    s.down = o.down;
    s.resample_filter = o.resample_filter;
    skip_ = register_module("skip", EdmConv2d(s));
  }
  if (num_heads_ > 0) {
    norm2_ = register_module("norm2", EdmGroupNorm(o.out_channels, o.eps));
    qkv_ = register_module("qkv", EdmConv2d(conv(o.out_channels, o.out_channels * 3, 1, o.init_attn.value_or(o.init))));
    proj_ = register_module("proj", EdmConv2d(conv(o.out_channels, o.out_channels, 1, o.init_zero)));
  }
}

torch::Tensor UNetBlockImpl::forward(const torch::Tensor& input, const torch::Tensor& emb) {
  auto x = conv0_(torch::silu(norm0_(input)));
  const auto params = affine_(emb).unsqueeze(2).unsqueeze(3).to(x.scalar_type());
  if (options_.adaptive_scale) {
    const auto scale_shift = params.chunk(2, 1);
    x = torch::silu(torch::addcmul(scale_shift[1], norm1_(x), scale_shift[0] + 1));
  } else {
    x = torch::silu(norm1_(x + params));
  }
  x = conv1_(torch::dropout(x, options_.dropout, is_training()));
  x = (x + (skip_ ? skip_(input) : input)) * options_.skip_scale;
  return num_heads_ > 0 ? attend(x) : x;
}

torch::Tensor UNetBlockImpl::attend(const torch::Tensor& x) {
  // qkv's output channels are read as [head][channel][q|k|v], edm's reshape(N*heads, C/heads, 3, HW).
  const auto qkv = qkv_(norm2_(x)).reshape({x.size(0) * num_heads_, x.size(1) / num_heads_, 3, -1}).unbind(2);
  const auto a = channel_attention(qkv[0], qkv[1], qkv[2]);
  return (proj_(a.reshape(x.sizes())) + x) * options_.skip_scale;
}

}  // namespace retrain
