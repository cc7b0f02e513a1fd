// Fused-op benchmark: ops::combine (the noising of every loss and the update of every sampler step)
// through retrain's kernel and through the ATen expression, side by side in one run, plus the noise
// alone (Philox normals against torch::randn, which is not per-sample), and a sampler's draw in each
// method.noise mode; Markdown rows, milliseconds.
//   build/bench/retrain_bench_ops [--device cpu|cuda] [--batch N] [--shape C,H,W] [--reps N]
#include <fmt/format.h>
#include <torch/cuda.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "bench_args.hpp"
#include "retrain/core/device.hpp"
#include "retrain/diffusion/sample_noise.hpp"
#include "retrain/ops/combine.hpp"
#include "retrain/ops/op_path.hpp"
#include "retrain/ops/philox_noise.hpp"

using namespace retrain;

namespace {

struct Options {
  std::string device = "cpu";
  std::int64_t batch = 64;
  std::vector<std::int64_t> shape = {3, 32, 32};
  int reps = 20;
};

constexpr const char* kUsage = "usage: retrain_bench_ops [--device cpu|cuda] [--batch N] [--shape C,H,W] [--reps N]";
const bench::Args kArgs{"retrain_bench_ops", kUsage};

Options parse(int argc, char** argv) {
  Options o;
  kArgs.each_flag(argc, argv, {}, [&](const std::string& flag, const std::string& value) {
    if (flag == "--device") {
      o.device = value;
    } else if (flag == "--batch") {
      o.batch = kArgs.positive(flag, value);
    } else if (flag == "--reps") {
      o.reps = static_cast<int>(kArgs.positive(flag, value));
    } else if (flag == "--shape") {
      o.shape.clear();
      std::istringstream in(value);
      for (std::string d; std::getline(in, d, ',');) o.shape.push_back(kArgs.positive(flag, d));
    } else {
      return false;
    }
    return true;
  });
  return o;
}

// Median milliseconds of `reps` calls of `f`, after one warm-up call.
double median_ms(const torch::Device& device, int reps, const std::function<void()>& f) {
  const auto sync = [&] {
    if (device.is_cuda()) torch::cuda::synchronize();
  };
  f();
  sync();
  std::vector<double> ms;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    sync();
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::nth_element(ms.begin(), ms.begin() + reps / 2, ms.end());
  return ms[reps / 2];
}

}  // namespace

int main(int argc, char** argv) try {
  const auto o = parse(argc, argv);
  const torch::Device device(o.device);
  std::vector<std::int64_t> full = {o.batch};
  full.insert(full.end(), o.shape.begin(), o.shape.end());
  const auto opts = torch::TensorOptions().dtype(torch::kFloat32).device(device);
  const auto x = torch::randn(full, opts), y = torch::randn(full, opts), z = torch::randn(full, opts);
  const auto a = torch::rand({o.batch}, opts.dtype(torch::kFloat64)), b = torch::rand({o.batch}, opts.dtype(torch::kFloat64));
  const auto c = torch::rand({o.batch}, opts.dtype(torch::kFloat64));
  const auto keys = ops::consecutive_keys(12345, o.batch, device);

  struct Case {
    std::string name;
    std::function<void()> run;
  };
  const std::vector<Case> cases = {
      {"a x + b y (EDM denoise, Euler)", [&] { ops::combine({{x, a}, {y, b}}); }},
      {"a x + b y + c z (Heun)", [&] { ops::combine({{x, a}, {y, b}, {z, c}}); }},
      {"a x + b y + s eps (DDPM ancestral, churn)",
       [&] { ops::combine({{x, a}, {y, b}}, ops::Noise{keys, 3, c}); }},
      {"x + sigma eps, eps returned (loss noising)",
       [&] { ops::combine_returning_noise({{x, a}}, ops::Noise{keys, 0, c}); }},
  };
  std::cout << fmt::format("ops benchmark: {} x [{}] float32 on {}, {} threads, median of {} calls\n\n", o.batch,
                           fmt::join(o.shape, ", "), device.str(), at::get_num_threads(), o.reps);
  std::cout << "| op | retrain kernel (ms) | ATen expression (ms) | ATen / kernel |\n|---|---|---|---|\n";
  for (const auto& k : cases) {
    double kernel_ms, aten_ms;
    {
      const ops::OpPathGuard path(ops::OpPath::kernel);
      kernel_ms = median_ms(device, o.reps, k.run);
    }
    {
      const ops::OpPathGuard path(ops::OpPath::aten);
      aten_ms = median_ms(device, o.reps, k.run);
    }
    std::cout << fmt::format("| {} | {:.3f} | {:.3f} | {:.2f} |\n", k.name, kernel_ms, aten_ms, aten_ms / kernel_ms);
  }
  const double philox_ms = median_ms(device, o.reps, [&] { ops::philox_normal(keys, 0, full, opts); });
  const double randn_ms = median_ms(device, o.reps, [&] { torch::randn(full, opts); });
  std::cout << fmt::format("| normals: Philox per sample vs torch::randn (one stream) | {:.3f} | {:.3f} | {:.2f} |\n",
                           philox_ms, randn_ms, randn_ms / philox_ms);
  // What a sampler pays per draw in each method.noise mode: Philox on the device against one CPU
  // generator per sample (NVlabs/edm's per-seed latents) and the copy to the device.
  std::vector<std::uint64_t> seeds(static_cast<std::size_t>(o.batch));
  std::iota(seeds.begin(), seeds.end(), std::uint64_t{12345});
  const auto mode_ms = [&](NoiseMode mode) {
    auto noise = SampleNoise::per_sample(seeds, mode);
    return median_ms(device, o.reps, [&] { noise.randn(full, opts); });
  };
  const double philox_mode_ms = mode_ms(NoiseMode::philox), torch_mode_ms = mode_ms(NoiseMode::torch);
  std::cout << fmt::format("| sampler noise: method.noise philox vs torch (CPU generator per sample + copy) | {:.3f} | "
                           "{:.3f} | {:.2f} |\n",
                           philox_mode_ms, torch_mode_ms, torch_mode_ms / philox_mode_ms);
  return 0;
} catch (const std::exception& e) {
  std::cerr << "retrain_bench_ops: error: " << e.what() << "\n";
  return 2;
}
