// method.noise: torch draws what NVlabs/edm's generate.py draws per seed on a CPU: the latent
// torch.randn([C, R, R], generator=torch.Generator().manual_seed(seed)) in float32 (the sampler then
// casts it to float64), then the random class torch.randint(label_dim, size=[], generator=...), then the
// sampler's own noise (EDM's churn: randn_like of the float64 state). The expected numbers were printed
// once by torch 2.11's Python API (.venv/bin/python) with:
//
//   import torch
//   for seed in (0, 7):
//       g = torch.Generator().manual_seed(seed)
//       x = torch.randn([3, 32, 32], generator=g)
//       c = torch.randint(10, size=[], generator=g)
//       n = torch.randn([3, 32, 32], generator=g, dtype=torch.float64)
//       print(seed, repr(float(x[0,0,0])), repr(float(x[0,0,1])), repr(float(x[2,31,31])), int(c),
//             repr(float(n[0,0,0])), repr(float(n[2,31,31])))
//   # 0 -1.1258398294448853 -1.152360200881958 -0.8415489196777344 7 -0.14579421100597215 -1.087476257992268
//   # 7 -0.8201345205307007 0.39563116431236267 -0.9007834792137146 6 -0.06576598900325441 0.1537868041450931
//   g = torch.Generator().manual_seed(0)
//   x = torch.randn([3, 32, 32], generator=g)                        # unconditional: no class draw
//   print(repr(float(torch.randn([3, 32, 32], generator=g, dtype=torch.float64)[0,0,0])))
//   # 0.7398111353864188
#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "diffusion/test_helpers.hpp"
#include "retrain/core/npy.hpp"
#include "retrain/data/quantize.hpp"
#include "retrain/diffusion/draw_samples.hpp"
#include "retrain/diffusion/edm.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

using GeneratePyNoise = test::SingleThreaded;

// A "sampler" that records what it draws: the latents as a float64 sampler asks for them, and one
// more float64 draw (where EDM's churn noise comes from).
struct RecordingMethod final : Method {
  mutable torch::Tensor latents, labels, next;
  torch::Tensor keyed_loss(Denoiser&, const torch::Tensor&, const torch::Tensor&, at::Generator&,
                           const torch::Tensor&) const override {
    throw std::logic_error("not used");
  }
  torch::Tensor sample(Denoiser&, std::vector<std::int64_t> shape, const torch::Tensor& l, SampleNoise noise) const override {
    const auto f64 = torch::TensorOptions().dtype(torch::kFloat64);
    latents = noise.randn(shape, f64);
    next = noise.randn(shape, f64);
    labels = l;
    return latents.to(torch::kFloat32);
  }
};

struct Identity final : Denoiser {
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor&, const torch::Tensor&) override { return x; }
  std::shared_ptr<Denoiser> replicate() const override { return std::make_shared<Identity>(); }
};

double at(const torch::Tensor& t, std::int64_t n, std::int64_t c, std::int64_t y, std::int64_t x) {
  return t.index({n, c, y, x}).item<double>();
}

TEST_F(GeneratePyNoise, ConditionalDrawsAreLatentThenClassThenTheSamplersNoise) {
  RecordingMethod method;
  Identity net;
  DrawOptions options{{3, 32, 32}, 10, std::nullopt, 64};
  const auto s = draw_samples(method, net, 2, SampleNoise::per_sample({0, 7}, NoiseMode::torch), options);
  // The latents are float32 numbers (generate.py draws float32, edm_sampler casts to float64).
  EXPECT_EQ(method.latents.scalar_type(), torch::kFloat64);
  EXPECT_TRUE(torch::equal(method.latents, method.latents.to(torch::kFloat32).to(torch::kFloat64)));
  EXPECT_EQ(at(method.latents, 0, 0, 0, 0), -1.1258398294448853);
  EXPECT_EQ(at(method.latents, 0, 0, 0, 1), -1.152360200881958);
  EXPECT_EQ(at(method.latents, 0, 2, 31, 31), -0.8415489196777344);
  EXPECT_EQ(at(method.latents, 1, 0, 0, 0), -0.8201345205307007);
  EXPECT_EQ(at(method.latents, 1, 0, 0, 1), 0.39563116431236267);
  EXPECT_EQ(at(method.latents, 1, 2, 31, 31), -0.9007834792137146);
  // The class comes after the latent, from the same generator.
  EXPECT_TRUE(torch::equal(s.labels, torch::tensor({7, 6}, torch::kLong))) << s.labels;
  EXPECT_TRUE(torch::equal(method.labels.cpu(), s.labels));
  // Then the sampler's float64 draws continue each seed's stream.
  EXPECT_EQ(at(method.next, 0, 0, 0, 0), -0.14579421100597215);
  EXPECT_EQ(at(method.next, 0, 2, 31, 31), -1.087476257992268);
  EXPECT_EQ(at(method.next, 1, 0, 0, 0), -0.06576598900325441);
  EXPECT_EQ(at(method.next, 1, 2, 31, 31), 0.1537868041450931);
}

TEST_F(GeneratePyNoise, UnconditionalDrawsHaveNoClassBetweenLatentAndNoise) {
  RecordingMethod method;
  Identity net;
  DrawOptions options{{3, 32, 32}, 0, std::nullopt, 64};
  draw_samples(method, net, 1, SampleNoise::per_sample({0}, NoiseMode::torch), options);
  EXPECT_EQ(at(method.latents, 0, 0, 0, 0), -1.1258398294448853);
  EXPECT_EQ(at(method.next, 0, 0, 0, 0), 0.7398111353864188);
}

TEST_F(GeneratePyNoise, BatchesAndAFixedClassKeepEachSeedsDraws) {
  RecordingMethod method;
  Identity net;
  DrawOptions options{{3, 32, 32}, 10, 3, 1};  // class 3 for all, one sample per sampler call
  const auto s = draw_samples(method, net, 2, SampleNoise::per_sample({0, 7}, NoiseMode::torch), options);
  EXPECT_TRUE(torch::equal(s.labels, torch::tensor({3, 3}, torch::kLong)));
  EXPECT_EQ(s.x.index({0, 0, 0, 0}).item<float>(), -1.1258398294448853F);
  EXPECT_EQ(s.x.index({1, 0, 0, 0}).item<float>(), -0.8201345205307007F);  // the last batch: seed 7
  // generate.py draws the random class even when --class overrides it, so the sampler's noise is the
  // same as without --class.
  EXPECT_EQ(at(method.next, 0, 0, 0, 0), -0.06576598900325441);
}

TEST_F(GeneratePyNoise, PhiloxLatentsAreNotDrawnFirst) {
  auto noise = SampleNoise::per_sample({0, 7}, NoiseMode::philox);
  EXPECT_FALSE(noise.generate_py_order());
  EXPECT_THROW(noise.draw_latents_first({2, 3}), c10::Error);
  EXPECT_TRUE(SampleNoise::per_sample({0}, NoiseMode::torch).generate_py_order());
}

// generate.py's pipeline, written here from its algorithm (NVlabs/edm is not installed): per-seed
// generators (StackedRandomGenerator), the float32 latent, the class, EDMPrecond's float32 forward around a
// stand-in U-Net, edm_sampler (Heun, churn drawn at every step) and the PNG quantisation.
constexpr const char* kGeneratePy = R"(
import sys
import numpy as np
import torch

seeds, label_dim, shape = [0, 1, 5], 10, [3, 8, 8]
num_steps, sigma_min, sigma_max, rho = 6, 0.002, 80.0, 7.0
S_churn, S_min, S_max, S_noise, sigma_data = 10.0, 0.05, 10.0, 1.0, 0.5
gens = [torch.Generator().manual_seed(s % (1 << 32)) for s in seeds]

def randn(size, dtype=torch.float32):
    return torch.stack([torch.randn(size[1:], generator=g, dtype=dtype) for g in gens])

def unet(x, c_noise, class_labels):  # the stand-in network: what the C++ test's StandIn computes
    classes = class_labels.argmax(1).to(torch.float32).reshape(-1, 1, 1, 1)
    return 0.25 * x + 0.1 * c_noise.reshape(-1, 1, 1, 1) + 0.05 * classes

def denoise(x, sigma, class_labels):  # EDMPrecond.forward, in float32
    x = x.to(torch.float32)
    sigma = torch.as_tensor(sigma).to(torch.float32).reshape(-1, 1, 1, 1)
    c_skip = sigma_data ** 2 / (sigma ** 2 + sigma_data ** 2)
    c_out = sigma * sigma_data / (sigma ** 2 + sigma_data ** 2).sqrt()
    c_in = 1 / (sigma_data ** 2 + sigma ** 2).sqrt()
    c_noise = (sigma.log() / 4).flatten().expand(x.shape[0])
    return c_skip * x + c_out * unet(c_in * x, c_noise, class_labels)

latents = randn([len(seeds)] + shape)
class_labels = torch.eye(label_dim)[torch.stack([torch.randint(label_dim, size=[], generator=g) for g in gens])]
steps = torch.arange(num_steps, dtype=torch.float64)
t = (sigma_max ** (1 / rho) + steps / (num_steps - 1) * (sigma_min ** (1 / rho) - sigma_max ** (1 / rho))) ** rho
t = torch.cat([t, torch.zeros_like(t[:1])])
x_next = latents.to(torch.float64) * t[0]
for i in range(num_steps):
    t_cur, t_next = t[i], t[i + 1]
    x_cur = x_next
    gamma = min(S_churn / num_steps, np.sqrt(2) - 1) if S_min <= t_cur <= S_max else 0
    t_hat = t_cur + gamma * t_cur
    x_hat = x_cur + (t_hat ** 2 - t_cur ** 2).sqrt() * S_noise * randn(x_cur.shape, torch.float64)
    denoised = denoise(x_hat, t_hat, class_labels).to(torch.float64)
    d_cur = (x_hat - denoised) / t_hat
    x_next = x_hat + (t_next - t_hat) * d_cur
    if i < num_steps - 1:
        denoised = denoise(x_next, t_next, class_labels).to(torch.float64)
        d_prime = (x_next - denoised) / t_next
        x_next = x_hat + (t_next - t_hat) * (0.5 * d_cur + 0.5 * d_prime)
images = (x_next * 127.5 + 128).clip(0, 255).to(torch.uint8)
np.save(sys.argv[1] + "/x.npy", x_next.numpy())
np.save(sys.argv[1] + "/images.npy", images.numpy())
np.save(sys.argv[1] + "/labels.npy", class_labels.argmax(1).numpy())
)";

// The stand-in U-Net of kGeneratePy.
struct StandIn final : Denoiser {
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& level, const torch::Tensor& labels) override {
    return 0.25 * x + 0.1 * level.view({-1, 1, 1, 1}) + 0.05 * labels.to(x.scalar_type()).view({-1, 1, 1, 1});
  }
  std::shared_ptr<Denoiser> replicate() const override { return std::make_shared<StandIn>(); }
};

TEST_F(GeneratePyNoise, EdmSamplingWithChurnGivesGeneratePysImagesPerSeed) {
  if (!std::filesystem::exists(test::kPython)) GTEST_SKIP() << "no Python at " << test::kPython;
  test::ScratchDir dir;
  test::write_text(dir / "generate.py", kGeneratePy);
  const auto python = test::run_program(test::kPython, {(dir / "generate.py").string(), dir.path().string()});
  ASSERT_EQ(python.exit_code, 0) << python.output;

  EdmOptions options;
  options.num_steps = 6;
  options.s_churn = 10;
  options.s_min = 0.05;  // steps above sigma 10 and below 0.05 have no churn, but generate.py still draws there
  options.s_max = 10;
  const EdmMethod method(options);
  StandIn net;
  DrawOptions draw{{3, 8, 8}, 10, std::nullopt, 2};  // batches {0, 1} and {5}
  const auto s = draw_samples(method, net, 3, SampleNoise::per_sample({0, 1, 5}, NoiseMode::torch), draw);
  EXPECT_TRUE(torch::equal(s.labels, load_npy(dir / "labels.npy")));
  const auto x = load_npy(dir / "x.npy");
  EXPECT_LT((s.x.to(torch::kFloat64) - x).abs().max().item<double>(), 1e-4);  // float32 vs float64 preconditioning
  EXPECT_TRUE(torch::equal(quantize_images(s.x), load_npy(dir / "images.npy")));
}

}  // namespace
}  // namespace retrain
