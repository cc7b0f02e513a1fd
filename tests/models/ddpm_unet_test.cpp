// DdpmUNet: the CIFAR-10 parameter count derived by hand, ddpm-torch's state-dict names, the timestep
// embedding, shapes of tiny networks with and without classes, replication.
#include <gtest/gtest.h>

#include <cmath>

#include "models/network_checks.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/models/ddpm_unet.hpp"
#include "retrain/models/state_dict.hpp"

namespace retrain {
namespace {

std::int64_t parameter_count(const torch::nn::Module& net) {
  std::int64_t n = 0;
  for (const auto& p : net.parameters()) n += p.numel();
  return n;
}

DdpmUNetOptions tiny(std::int64_t num_classes = 0) {
  DdpmUNetOptions o;
  o.img_resolution = 8;
  o.hid_channels = 32;
  o.ch_multipliers = {1, 2};
  o.apply_attn = {false, true};
  o.num_res_blocks = 1;
  o.num_classes = num_classes;
  return o;
}

TEST(DdpmUNet, CifarParameterCountMatchesTheHandDerivation) {
  // Embedding width T = 512. ResBlock(i, o) = norm1 2i + conv1 9io+o + fc 512o+o + norm2 2o + conv2 9o^2+o
  // [+ skip io+o when i != o]; Attention(c) = norm 2c + project_in 3c^2+3c + project_out c^2+c.
  //   Res(128,128) 361,344  Res(128,256) 1,050,368  Res(256,256) 1,312,512  Res(512,256) 2,034,176
  //   Res(384,256) 1,706,240  Res(384,128) 706,048  Res(256,128) 541,952  Attn(256) 263,680
  // embed 128*512+512 + 512*512+512 = 328,704; in_conv 3*128*9+128 = 3,584;
  // down: L0 2 Res(128,128) + conv 147,584; L1 Res(128,256) + Res(256,256) + 2 Attn + conv 590,080;
  //       L2 2 Res(256,256) + conv; L3 2 Res(256,256)                                  = 10,190,720
  // middle 2 Res(256,256) + Attn(256)                                                   =  2,888,704
  // up: L3 3 Res(512,256) + conv; L2 3 Res(512,256) + conv;
  //     L1 (2 Res(512,256) + Res(384,256) + 3 Attn) + conv; L0 Res(384,128) + 2 Res(256,128) = 22,330,880
  // out_conv 2*128 + 9*128*3+3 = 3,715.                                         Total   35,746,307
  const auto count = parameter_count(DdpmUNet(DdpmUNetOptions{}));
  EXPECT_EQ(count, 35'746'307);
  EXPECT_NEAR(static_cast<double>(count), 35.7e6, 0.1e6);
}

TEST(DdpmUNet, StateDictUsesTheReferenceNames) {
  const auto names = state_dict(DdpmUNet(DdpmUNetOptions{}));
  for (const auto* name :
       {"embed.0.weight", "embed.2.bias", "in_conv.weight", "downsamples.level_0.0.norm1.weight",
        "downsamples.level_0.1.conv2.bias", "downsamples.level_0.2.1.weight", "downsamples.level_1.0.0.skip.weight",
        "downsamples.level_1.0.0.fc.weight", "downsamples.level_1.1.1.project_in.weight",
        "downsamples.level_1.1.1.project_out.bias", "downsamples.level_1.0.1.norm.weight", "middle.0.conv1.weight",
        "middle.1.project_in.weight", "middle.2.norm2.bias", "upsamples.level_3.3.1.weight",
        "upsamples.level_1.2.0.skip.weight", "upsamples.level_1.2.1.project_in.weight", "upsamples.level_1.3.1.bias",
        "upsamples.level_0.2.skip.weight", "out_conv.0.weight", "out_conv.2.weight"})
    EXPECT_TRUE(names.count(name)) << name;
  for (const auto* name : {"downsamples.level_3.2.1.weight", "upsamples.level_0.3.1.weight",
                           "downsamples.level_0.0.skip.weight", "class_embed.weight"})
    EXPECT_FALSE(names.count(name)) << name;
  EXPECT_EQ(names.at("middle.1.project_in.weight").sizes(), (std::vector<std::int64_t>{768, 256, 1, 1}));
  EXPECT_EQ(names.at("upsamples.level_3.0.conv1.weight").sizes(), (std::vector<std::int64_t>{256, 512, 3, 3}));
}

TEST(DdpmUNet, TimestepEmbeddingIsSinThenCos) {
  // dim 4: half 2, frequencies exp(-k ln(10000) / 1) = {1, 1e-4}.
  const auto e = ddpm_timestep_embedding(torch::tensor({1.0f, 250.0f}), 4);
  const auto expected = torch::tensor({{std::sin(1.0), std::sin(1e-4), std::cos(1.0), std::cos(1e-4)},
                                       {std::sin(250.0), std::sin(0.025), std::cos(250.0), std::cos(0.025)}},
                                      torch::kFloat32);
  EXPECT_TRUE(torch::allclose(e, expected, 1e-5, 1e-5));
}

TEST(DdpmUNet, OutputHasTheInputShapeWithAndWithoutClasses) {
  auto x = torch::randn({2, 3, 8, 8});
  const auto t = torch::tensor({3.0f, 999.0f});
  DdpmUNet unconditional(tiny());
  EXPECT_EQ(unconditional.forward(x, t, {}).sizes(), x.sizes());
  DdpmUNet conditional(tiny(5));
  EXPECT_EQ(conditional.forward(x, t, torch::tensor({0, 4}, torch::kLong)).sizes(), x.sizes());
  EXPECT_THROW(conditional.forward(x, t, {}), c10::Error);
}

TEST(DdpmUNet, ForwardAndBackwardGiveFiniteGradients) {
  torch::manual_seed(0);
  DdpmUNet net(tiny(3));
  auto out = net.forward(torch::randn({2, 3, 8, 8}), torch::tensor({10.0f, 500.0f}), torch::tensor({2, 1}, torch::kLong));
  out.square().mean().backward();
  test::expect_finite_gradients(net);
}

TEST(DdpmUNet, ReplicateCopiesWeights) {
  DdpmUNet net(tiny());
  test::expect_replica_matches(net, torch::randn({1, 3, 8, 8}), torch::tensor({42.0f}));
}

TEST(DdpmUNet, RejectsBadOptions) {
  auto o = tiny();
  o.apply_attn = {true};
  EXPECT_THROW(DdpmUNet{o}, UsageError);
  o = tiny();
  o.hid_channels = 48;
  EXPECT_THROW(DdpmUNet{o}, UsageError);
}

}  // namespace
}  // namespace retrain
