// MlpDenoiser: shapes, stable state-dict names, conditioning, replication, option checks.
#include <gtest/gtest.h>

#include "retrain/core/errors.hpp"
#include "retrain/models/mlp_denoiser.hpp"
#include "retrain/models/state_dict.hpp"

namespace retrain {
namespace {

MlpDenoiserOptions small(std::int64_t num_classes = 0, NoiseEmbedding embedding = NoiseEmbedding::positional) {
  MlpDenoiserOptions o;
  o.dim = 3;
  o.width = 16;
  o.depth = 2;
  o.embedding_dim = 8;
  o.num_classes = num_classes;
  o.embedding = embedding;
  return o;
}

TEST(MlpDenoiser, OutputHasTheInputShape) {
  MlpDenoiser net(small());
  auto out = net.forward(torch::randn({5, 3}), torch::rand({5}), {});
  EXPECT_EQ(out.sizes(), (std::vector<std::int64_t>{5, 3}));
}

TEST(MlpDenoiser, StateDictNamesAreStable) {
  MlpDenoiser net(small(4, NoiseEmbedding::fourier));
  std::vector<std::string> names;
  for (const auto& [name, t] : state_dict(net)) names.push_back(name);
  const std::vector<std::string> expected = {"blocks.0.bias", "blocks.0.weight", "blocks.1.bias", "blocks.1.weight",
                                             "class_embed.weight", "fourier_freqs", "input.bias", "input.weight",
                                             "noise_fc0.bias", "noise_fc0.weight", "noise_fc1.bias", "noise_fc1.weight",
                                             "output.bias", "output.weight"};
  EXPECT_EQ(names, expected);
}

TEST(MlpDenoiser, OutputDependsOnNoiseLevelAndClass) {
  torch::manual_seed(0);
  MlpDenoiser net(small(3));
  auto x = torch::randn({4, 3});
  auto labels = torch::tensor({0, 1, 2, 0}, torch::kLong);
  auto base = net.forward(x, torch::full({4}, 0.5), labels);
  EXPECT_FALSE(torch::allclose(base, net.forward(x, torch::full({4}, 5.0), labels)));
  EXPECT_FALSE(torch::allclose(base, net.forward(x, torch::full({4}, 0.5), torch::tensor({1, 2, 0, 1}, torch::kLong))));
  EXPECT_THROW(net.forward(x, torch::full({4}, 0.5), {}), c10::Error);
}

TEST(MlpDenoiser, ReplicateCopiesWeightsIntoAnIndependentNetwork) {
  MlpDenoiser net(small(0, NoiseEmbedding::fourier));
  auto copy = net.replicate();
  auto x = torch::randn({6, 3});
  auto t = torch::rand({6});
  EXPECT_TRUE(torch::equal(net.forward(x, t, {}), copy->forward(x, t, {})));
  {
    torch::NoGradGuard no_grad;
    for (auto& p : copy->parameters()) p.add_(1.0);
  }
  EXPECT_FALSE(torch::allclose(net.forward(x, t, {}), copy->forward(x, t, {})));
}

TEST(MlpDenoiser, ReplicateLeavesTheGlobalGeneratorUntouched) {
  MlpDenoiser net(small());
  torch::manual_seed(5);
  auto expected = torch::rand({4});
  torch::manual_seed(5);
  net.replicate();
  EXPECT_TRUE(torch::equal(torch::rand({4}), expected));
}

TEST(MlpDenoiser, LoadStateDictNamesTheSourceOfAMismatch) {
  MlpDenoiser net(small());
  auto state = state_dict(MlpDenoiser(small()));
  state.erase("output.bias");
  try {
    load_state_dict(net, state, "ckpt/model.safetensors");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("ckpt/model.safetensors"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("output.bias"), std::string::npos) << e.what();
  }
}

TEST(MlpDenoiser, RejectsInvalidOptions) {
  auto o = small();
  o.embedding_dim = 7;
  EXPECT_THROW(MlpDenoiser{o}, UsageError);
  o = small();
  o.dim = 0;
  EXPECT_THROW(MlpDenoiser{o}, UsageError);
}

}  // namespace
}  // namespace retrain
