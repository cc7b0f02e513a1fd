// Trainer on images with tiny U-Nets: it overfits a handful of images; gradient accumulation, uint8
// input and channels-last change how the work is done, not its result; bf16 autocast runs on the CPU
// and keeps the weights float32.
#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "data/image_test_files.hpp"
#include "diffusion/test_helpers.hpp"
#include "retrain/models/model_options.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/diffusion/ddpm.hpp"
#include "retrain/diffusion/edm.hpp"
#include "retrain/models/make_network.hpp"
#include "retrain/models/state_dict.hpp"
#include "retrain/train/trainer.hpp"

namespace retrain {
namespace {

using TrainerImageTest = test::SingleThreaded;

// A tiny SongUNet (ddpmpp) or DDPM U-Net for 1-channel images of `resolution`, initialised from `seed`.
// No dropout: dropout draws from torch's global generator, which the equivalence tests keep out.
std::shared_ptr<Denoiser> tiny_unet(const std::string& arch, std::int64_t resolution, std::uint64_t seed,
                                    torch::ScalarType dtype = torch::kFloat32) {
  ModelOptions c;
  c.arch = parse_choice<Arch>(arch).value();
  c.channels = arch == "ddpm_unet" ? 32 : 8;  // ddpm_unet: GroupNorm's 32 groups
  c.channel_mult = {1};
  c.num_blocks = 1;
  c.attn_resolutions = {};
  c.dropout = 0.0;
  torch::manual_seed(seed);
  auto net = make_network(c, {1, resolution, resolution}, 0);
  net->to(dtype);
  return net;
}

// `n` distinct uint8 images [n, 1, R, R]: the test pattern with a different offset and orientation each.
torch::Tensor tiny_images(std::int64_t n, std::int64_t resolution) {
  std::vector<torch::Tensor> images;
  for (std::int64_t i = 0; i < n; ++i) {
    auto img = test::pattern(1, resolution, resolution, 37 * i);
    if (i % 2 == 1) img = img.transpose(1, 2);
    if (i % 4 >= 2) img = img.flip(2);
    images.push_back(img.contiguous());
  }
  return torch::stack(images);
}

// `n` smooth uint8 images [n, 1, R, R]: plane waves of different directions and phases.
torch::Tensor smooth_images(std::int64_t n, std::int64_t resolution) {
  const auto y = torch::arange(resolution, torch::kFloat64).view({-1, 1});
  const auto x = torch::arange(resolution, torch::kFloat64).view({1, -1});
  std::vector<torch::Tensor> images;
  for (std::int64_t i = 0; i < n; ++i) {
    const double angle = 3.14159265358979 * static_cast<double>(i) / static_cast<double>(n);
    const auto wave = (std::cos(angle) * x + std::sin(angle) * y) * (6.2831853 / static_cast<double>(resolution)) +
                      static_cast<double>(i);
    images.push_back((127.5 + 127.0 * wave.sin()).round().to(torch::kUInt8).unsqueeze(0));
  }
  return torch::stack(images);
}

TrainerOptions plain_options(std::int64_t batch) {
  TrainerOptions o;
  o.lr = 1e-3;
  o.batch_size = batch;
  o.ema.decay = 0.9;
  return o;
}

void expect_close(const std::shared_ptr<Denoiser>& a, const std::shared_ptr<Denoiser>& b, double rtol, double atol,
                  const std::string& what) {
  const auto sa = state_dict(*a), sb = state_dict(*b);
  ASSERT_EQ(sa.size(), sb.size());
  for (const auto& [name, t] : sa) {
    const auto& u = sb.at(name);
    EXPECT_TRUE(torch::allclose(t, u, rtol, atol))
        << what << ": " << name << " differs by up to " << (t - u).abs().max().item<double>();
  }
}

// The largest absolute difference of any parameter or buffer between a snapshot and a network.
double max_change(const TensorMap& before, const std::shared_ptr<Denoiser>& net) {
  double out = 0.0;
  for (const auto& [name, t] : state_dict(*net)) out = std::max(out, (t - before.at(name)).abs().max().item<double>());
  return out;
}

TEST_F(TrainerImageTest, TinyUNetOverfitsAHandfulOfImages) {
  // 6 smooth 8x8 images, 400 steps of the whole set through an 8-channel SongUNet with the EDM loss
  // (noise levels drawn with p_std 0.6 rather than 1.2: fewer of the very noisy levels whose loss
  // stays high however well the images are learnt). The mean loss of the first 10 steps against the
  // last 50 fell about 6x when measured; 3x is asserted.
  const auto images = smooth_images(6, 8);
  TrainerOptions o = plain_options(6);
  o.lr = 1e-2;
  o.report_every_steps = 10;
  EdmOptions edm;
  edm.p_std = 0.6;
  Trainer trainer(tiny_unet("ddpmpp", 8, 1), std::make_shared<EdmMethod>(edm), o);
  auto gen = make_generator(1, 0, Stream::Fit);
  std::vector<double> losses;  // the mean loss of every 10 steps
  const auto stats = trainer.fit(images, {}, 400 * 6, gen, [&](const FitProgress& p) { losses.push_back(p.loss); });
  ASSERT_EQ(stats.steps, 400);
  ASSERT_EQ(losses.size(), 40u);
  const double first = losses.front();
  const double last = std::accumulate(losses.end() - 5, losses.end(), 0.0) / 5;
  EXPECT_TRUE(std::isfinite(first) && std::isfinite(last)) << first << " -> " << last;
  EXPECT_GT(first, 3.0 * last) << first << " -> " << last;
}

// Loss without randomness: the squared error of net(x, level 0.3) against a fixed function of x,
// averaged over pixels. Batches still come from the generator (the epoch sampler), noise does not.
// `scale` multiplies the loss (a stand-in for a pass that averages over the wrong count).
class DeterministicImageLoss final : public Method {
 public:
  explicit DeterministicImageLoss(double scale = 1.0) : scale_(scale) {}
  torch::Tensor keyed_loss(Denoiser& net, const torch::Tensor& x0, const torch::Tensor& labels, at::Generator&,
                           const torch::Tensor&) const override {
    const auto level = torch::full({x0.size(0)}, 0.3, x0.options());
    const auto target = 0.5 * x0.flip(-1) - 0.25;
    return (net.forward(x0, level, labels) - target).square().flatten(1).mean(1) * scale_;
  }
  torch::Tensor sample(Denoiser&, std::vector<std::int64_t> shape, const torch::Tensor&, SampleNoise) const override {
    return torch::zeros(shape);
  }

 private:
  double scale_;
};

// Adam's eps is 1e-3 in the layout tests. With the default 1e-8, the biases of convolutions followed by
// GroupNorm (gradients zero up to rounding) are updated by about lr * sign(rounding error), so two ways
// of summing the same gradient end up to lr apart; with eps 1e-3 such gradients barely move anything,
// and the update also depends on the gradient's scale (Adam alone nearly cancels it).
TEST_F(TrainerImageTest, GradientAccumulationGivesTheSameParameters) {
  const auto images = tiny_images(16, 8);
  auto train = [&](const std::string& arch, std::int64_t accumulate, double scale = 1.0) {
    TrainerOptions o = plain_options(8);
    o.accumulate = accumulate;
    o.eps = 1e-3;
    auto net = tiny_unet(arch, 8, 3);
    Trainer trainer(net, std::make_shared<DeterministicImageLoss>(scale), o);
    auto gen = make_generator(2, 0, Stream::Fit);
    trainer.fit(images, {}, 6 * 8, gen);  // 6 steps: 3 epochs of 2 batches
    EXPECT_EQ(trainer.step(), 6);
    return net;
  };
  for (const std::string arch : {"ddpmpp", "ddpm_unet"}) {
    const auto whole = train(arch, 1);
    ASSERT_GT(max_change(state_dict(*tiny_unet(arch, 8, 3)), whole), 1e-3) << arch;
    // Measured: at most 1.5e-8 apart (float32 rounding).
    expect_close(whole, train(arch, 2), 1e-5, 1e-7, arch + " accumulate 2");
    expect_close(whole, train(arch, 4), 1e-5, 1e-7, arch + " accumulate 4");
    // The comparison would see passes that each averaged over their own part (a loss 2x too large).
    EXPECT_GT(max_change(state_dict(*whole), train(arch, 1, 2.0)), 1e-4) << arch;
  }
}

TEST_F(TrainerImageTest, Uint8InputEqualsTheSameImagesScaledToMinusOneOne) {
  const auto images = tiny_images(8, 8);
  const auto scaled = images.to(torch::kFloat32) / 127.5 - 1.0;
  ASSERT_LE(scaled.max().item<double>(), 1.0);
  ASSERT_GE(scaled.min().item<double>(), -1.0);
  for (const std::string method : {"edm", "ddpm"}) {
    auto train = [&](const torch::Tensor& data) {
      std::shared_ptr<Method> m;
      if (method == "edm") m = std::make_shared<EdmMethod>();
      else m = std::make_shared<DdpmMethod>();
      Trainer trainer(tiny_unet("ddpmpp", 8, 4), m, plain_options(4));
      auto gen = make_generator(3, 0, Stream::Fit);
      const auto stats = trainer.fit(data, {}, 5 * 4, gen);
      return std::make_pair(trainer.net(), stats.loss_last);
    };
    const auto [u8_net, u8_loss] = train(images);
    const auto [float_net, float_loss] = train(scaled);
    EXPECT_EQ(u8_loss, float_loss) << method;
    for (const auto& [name, t] : state_dict(*u8_net))
      EXPECT_TRUE(torch::equal(t, state_dict(*float_net).at(name))) << method << ": " << name;
    // And the conversion matters: the raw 0..255 values train a different network.
    const auto [raw_net, raw_loss] = train(images.to(torch::kFloat32));
    EXPECT_NE(raw_loss, u8_loss) << method;
  }
}

TEST_F(TrainerImageTest, Bf16AutocastOnTheCpuTrainsFloat32Weights) {
  const auto images = tiny_images(8, 8);
  for (const std::string arch : {"ddpmpp", "ddpm_unet"}) {
    TrainerOptions o = plain_options(4);
    o.precision = Precision::bf16;
    auto net = tiny_unet(arch, 8, 5);
    const auto before = state_dict(*net->replicate());
    Trainer trainer(net, std::make_shared<EdmMethod>(), o);
    auto gen = make_generator(4, 0, Stream::Fit);
    const auto stats = trainer.fit(images, {}, 4 * 4, gen);
    EXPECT_TRUE(std::isfinite(stats.loss_first) && std::isfinite(stats.loss_last)) << arch;
    EXPECT_GT(stats.loss_last, 0.0) << arch;
    EXPECT_EQ(stats.nonfinite_steps, 0) << arch;
    EXPECT_GT(max_change(before, net), 1e-5) << arch;
    for (const auto& [name, t] : state_dict(*net)) {
      if (!t.is_floating_point()) continue;
      EXPECT_EQ(t.scalar_type(), torch::kFloat32) << arch << ": " << name;
      EXPECT_TRUE(t.isfinite().all().item<bool>()) << arch << ": " << name;
    }
    for (const auto& [name, t] : state_dict(*trainer.ema())) {
      if (t.is_floating_point()) {
        EXPECT_EQ(t.scalar_type(), torch::kFloat32) << arch << " EMA: " << name;
      }
    }
    // bf16 was in effect: the same steps in float32 end elsewhere.
    auto fp32 = tiny_unet(arch, 8, 5);
    o.precision = Precision::fp32;
    Trainer reference(fp32, std::make_shared<EdmMethod>(), o);
    auto gen32 = make_generator(4, 0, Stream::Fit);
    reference.fit(images, {}, 4 * 4, gen32);
    EXPECT_GT(max_change(state_dict(*fp32), net), 0.0) << arch;
    // Autocast is switched off again after the fit.
    EXPECT_FALSE(at::autocast::is_autocast_enabled(at::kCPU));
  }
}

TEST_F(TrainerImageTest, ChannelsLastTrainsLikeTheDefaultLayout) {
  const auto images = tiny_images(8, 8);
  for (const std::string arch : {"ddpmpp", "ddpm_unet"}) {
    auto train = [&](bool channels_last) {
      TrainerOptions o = plain_options(4);
      o.eps = 1e-3;
      o.channels_last = channels_last;
      auto net = tiny_unet(arch, 8, 6);
      Trainer trainer(net, std::make_shared<EdmMethod>(), o);
      auto gen = make_generator(5, 0, Stream::Fit);
      trainer.fit(images, {}, 4 * 4, gen);
      const auto ema = state_dict(*trainer.ema());
      for (const auto& [name, p] : state_dict(*net))
        if (p.dim() == 4)
          EXPECT_EQ(ema.at(name).is_contiguous(), p.is_contiguous()) << arch << " " << name << ": EMA in another layout";
      return net;
    };
    const auto plain = train(false);
    const auto last = train(true);
    bool any_channels_last = false;
    for (const auto& p : last->parameters())
      if (p.dim() == 4) any_channels_last |= p.is_contiguous(torch::MemoryFormat::ChannelsLast) && !p.is_contiguous();
    EXPECT_TRUE(any_channels_last) << arch << ": the conv weights should be channels-last";
    ASSERT_GT(max_change(state_dict(*tiny_unet(arch, 8, 6)), plain), 1e-4) << arch;
    // Measured: at most 3e-7 apart (the convolutions sum in another order).
    expect_close(plain, last, 1e-4, 2e-6, arch + " channels_last");
  }
}

}  // namespace
}  // namespace retrain
