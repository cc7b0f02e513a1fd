// SongUNet and its EDM layers: parameter counts of the published configurations, state-dict names,
// the GroupNorm and resample-filter rules, shapes and gradients of tiny networks.
#include <gtest/gtest.h>

#include "models/network_checks.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/models/song_unet.hpp"
#include "retrain/models/state_dict.hpp"

namespace retrain {
namespace {

std::int64_t parameter_count(const torch::nn::Module& net) {
  std::int64_t n = 0;
  for (const auto& p : net.parameters()) n += p.numel();
  return n;
}

SongUNetOptions tiny(SongUNetOptions o) {
  o.img_resolution = 16;
  o.model_channels = 16;
  o.channel_mult = {1, 2};
  o.num_blocks = 1;
  o.attn_resolutions = {8};
  return o;
}

TEST(SongUNet, CifarDdpmppHasTheReferenceParameterCount) {
  EXPECT_EQ(parameter_count(SongUNet(SongUNetOptions::ddpmpp())), 55'732'739);
  auto augmented = SongUNetOptions::ddpmpp();
  augmented.augment_dim = 9;
  EXPECT_EQ(parameter_count(SongUNet(augmented)), 55'733'891);
}

TEST(SongUNet, Ffhq64DdpmppHasTheReferenceParameterCount) {
  auto o = SongUNetOptions::ddpmpp(64);
  o.channel_mult = {1, 2, 2, 2};
  o.augment_dim = 9;
  EXPECT_EQ(parameter_count(SongUNet(o)), 61'805'571);
}

TEST(SongUNet, CifarNcsnppParameterCountFollowsFromDdpmpp) {
  // Derived, not taken from a reference run: ddpmpp's 55,732,739 plus map_layer0's wider input
  // (256 - 128) * 512 = 65,536 plus the residual encoder's aux_residual convs 3x3: 3 -> 256 at 16x16
  // (6,912 + 256) and 256 -> 256 at 8x8 (589,824 + 256). The Fourier frequencies are a buffer.
  EXPECT_EQ(parameter_count(SongUNet(SongUNetOptions::ncsnpp())), 55'732'739 + 65'536 + 7'168 + 590'080);
}

TEST(SongUNet, StateDictUsesTheReferenceNames) {
  auto o = SongUNetOptions::ddpmpp(32, 3, 10);
  o.augment_dim = 9;
  const auto names = state_dict(SongUNet(o));
  for (const auto* name :
       {"map_label.weight", "map_label.bias", "map_augment.weight", "map_layer0.weight", "map_layer1.bias",
        "enc.32x32_conv.weight", "enc.32x32_block0.norm0.weight", "enc.32x32_block0.affine.weight",
        "enc.16x16_down.conv0.resample_filter", "enc.16x16_down.skip.weight", "enc.32x32_block0.skip.weight",
        "enc.16x16_block0.norm2.weight", "enc.16x16_block3.qkv.weight", "enc.16x16_block3.proj.bias",
        "dec.8x8_in0.qkv.weight", "dec.8x8_in1.conv1.weight", "dec.8x8_block4.skip.weight", "dec.16x16_up.conv0.weight",
        "dec.16x16_up.skip.resample_filter", "dec.16x16_block4.qkv.weight", "dec.32x32_aux_norm.weight",
        "dec.32x32_aux_conv.weight", "dec.32x32_aux_conv.bias"})
    EXPECT_TRUE(names.count(name)) << name;
  for (const auto* name : {"map_augment.bias", "map_noise.freqs", "enc.32x32_block1.skip.weight", "enc.16x16_block0.skip.weight",
                           "enc.32x32_conv.resample_filter", "dec.16x16_block0.qkv.weight", "dec.8x8_in1.qkv.weight",
                           "dec.16x16_aux_conv.weight"})
    EXPECT_FALSE(names.count(name)) << name;
  EXPECT_EQ(names.at("enc.16x16_block3.qkv.weight").sizes(), (std::vector<std::int64_t>{768, 256, 1, 1}));
  EXPECT_EQ(names.at("map_label.weight").sizes(), (std::vector<std::int64_t>{128, 10}));
  EXPECT_EQ(names.at("dec.32x32_block0.conv0.weight").sizes(), (std::vector<std::int64_t>{256, 512, 3, 3}));
}

TEST(SongUNet, NcsnppHasFourierFrequenciesAndResidualEncoder) {
  const auto names = state_dict(SongUNet(tiny(SongUNetOptions::ncsnpp())));
  EXPECT_EQ(names.at("map_noise.freqs").sizes(), (std::vector<std::int64_t>{16}));  // 16 * 2 noise channels / 2
  EXPECT_EQ(names.at("enc.8x8_aux_residual.weight").sizes(), (std::vector<std::int64_t>{16, 3, 3, 3}));
  EXPECT_EQ(names.at("enc.8x8_aux_residual.resample_filter").sizes(), (std::vector<std::int64_t>{1, 1, 4, 4}));
  EXPECT_EQ(names.at("map_layer0.weight").sizes(), (std::vector<std::int64_t>{64, 32}));
}

TEST(EdmGroupNorm, UsesAtMost32GroupsOfAtLeast4Channels) {
  EXPECT_EQ(edm_group_count(256), 32);
  EXPECT_EQ(edm_group_count(128), 32);
  EXPECT_EQ(edm_group_count(64), 16);
  EXPECT_EQ(edm_group_count(18), 4);
  EXPECT_EQ(EdmGroupNorm(16, 1e-6)->num_groups(), 4);
}

TEST(EdmConv2d, ResampleFilterIsTheNormalisedOuterProduct) {
  EdmConv2dOptions o;
  o.in_channels = o.out_channels = 2;
  o.kernel = 0;
  o.down = true;
  EXPECT_TRUE(torch::equal(EdmConv2d(o)->named_buffers()["resample_filter"], torch::full({1, 1, 2, 2}, 0.25)));
  o.resample_filter = {1, 3, 3, 1};
  auto taps = torch::tensor({1.f, 3.f, 3.f, 1.f});
  EXPECT_TRUE(torch::allclose(EdmConv2d(o)->named_buffers()["resample_filter"],
                              (torch::outer(taps, taps) / 64).reshape({1, 1, 4, 4})));
  o.down = false;
  EXPECT_EQ(EdmConv2d(o)->named_buffers().size(), 0u);  // no buffer without resampling, as edm
}

TEST(EdmConv2d, ResamplingHalvesAndDoublesTheResolution) {
  EdmConv2dOptions o;
  o.in_channels = 2;
  o.out_channels = 3;
  o.resample_filter = {1, 3, 3, 1};
  auto x = torch::randn({1, 2, 8, 8});
  o.down = true;
  EXPECT_EQ(EdmConv2d(o)->forward(x).sizes(), (std::vector<std::int64_t>{1, 3, 4, 4}));
  o.fused_resample = true;  // the residual encoder's aux_residual path
  EXPECT_EQ(EdmConv2d(o)->forward(x).sizes(), (std::vector<std::int64_t>{1, 3, 4, 4}));
  o.down = false;
  o.up = true;
  o.fused_resample = false;
  EXPECT_EQ(EdmConv2d(o)->forward(x).sizes(), (std::vector<std::int64_t>{1, 3, 16, 16}));
  // With the box filter [1,1], plain down-sampling is 2x2 average pooling.
  EdmConv2dOptions pool;
  pool.in_channels = pool.out_channels = 2;
  pool.kernel = 0;
  pool.down = true;
  EXPECT_TRUE(torch::allclose(EdmConv2d(pool)->forward(x), torch::avg_pool2d(x, 2), 1e-6, 1e-6));
}

TEST(SongUNet, OutputHasTheInputShapeForEveryVariant) {
  std::vector<SongUNetOptions> variants = {tiny(SongUNetOptions::ddpmpp()), tiny(SongUNetOptions::ncsnpp()),
                                           tiny(SongUNetOptions::ddpmpp(16, 3, 4)), tiny(SongUNetOptions::ncsnpp(16, 3, 4))};
  auto skip = tiny(SongUNetOptions::ncsnpp());
  skip.encoder_type = UNetEncoder::skip;
  skip.decoder_type = UNetDecoder::skip;
  skip.augment_dim = 9;
  variants.push_back(skip);
  auto x = torch::randn({2, 3, 16, 16});
  for (const auto& o : variants) {
    SongUNet net(o);
    auto labels = o.label_dim > 0 ? torch::tensor({1, 3}, torch::kLong) : torch::Tensor();
    EXPECT_EQ(net.forward(x, torch::tensor({0.3f, 2.0f}), labels).sizes(), x.sizes());
  }
}

TEST(SongUNet, ForwardAndBackwardGiveFiniteGradients) {
  torch::manual_seed(0);
  auto o = tiny(SongUNetOptions::ddpmpp(16, 3, 4));
  o.label_dropout = 0.5;
  SongUNet net(o);
  net.train();
  auto out = net.forward(torch::randn({2, 3, 16, 16}), torch::tensor({-1.0f, 1.5f}), torch::tensor({0, 2}, torch::kLong));
  out.square().mean().backward();
  test::expect_finite_gradients(net);
  EXPECT_GT(net.named_parameters()["enc.16x16_conv.weight"].grad().abs().sum().item<double>(), 0.0);
}

TEST(SongUNet, ReplicateCopiesWeightsAndFrequencies) {
  SongUNet net(tiny(SongUNetOptions::ncsnpp()));
  test::expect_replica_matches(net, torch::randn({1, 3, 16, 16}), torch::tensor({0.7f}));
}

TEST(SongUNet, RejectsBadOptionsAndInputs) {
  auto o = tiny(SongUNetOptions::ddpmpp());
  o.img_resolution = 15;
  EXPECT_THROW(SongUNet{o}, UsageError);
  SongUNet conditional(tiny(SongUNetOptions::ddpmpp(16, 3, 4)));
  EXPECT_THROW(conditional.forward(torch::randn({1, 3, 16, 16}), torch::ones({1}), {}), c10::Error);
  EXPECT_THROW(conditional.forward(torch::randn({1, 3, 8, 8}), torch::ones({1}), torch::zeros({1}, torch::kLong)),
               c10::Error);
}

}  // namespace
}  // namespace retrain
