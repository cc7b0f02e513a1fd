// Image benchmark: training and sampling throughput and peak memory of the EDM SongUNets this project
// trains on images (CIFAR-10 DDPM++, 55.7M parameters; the small Fashion-MNIST U-Net of our configs),
// printed as Markdown table rows. scripts/bench_images.sh runs it with CPU-sized batches.
//   build/bench/retrain_bench_images [--network cifar10|fashion|all] [--device cpu|cuda]
//       [--train-batch N] [--sample-batch N] [--steps N] [--no-header]
#include <fmt/format.h>
#include <torch/cuda.h>

#include <chrono>
#include <iostream>
#include <limits>
#include <string>
#include <vector>

#include "bench_args.hpp"
#include "peak_memory.hpp"
#include "retrain/core/allocator.hpp"
#include "retrain/core/device.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/diffusion/edm.hpp"
#include "retrain/models/song_unet.hpp"
#include "retrain/train/trainer.hpp"

using namespace retrain;

namespace {

struct BenchOptions {
  std::string network = "all";  // cifar10 | fashion | all
  std::string device = "cpu";
  std::int64_t train_batch = 8, sample_batch = 8;
  std::int64_t steps = 3;  // timed training steps, after one warm-up step
  bool header = true;
};

struct ImageNetwork {
  std::string name;
  SongUNetOptions options;
};

constexpr const char* kUsage =
    "usage: retrain_bench_images [--network cifar10|fashion|all] [--device cpu|cuda] [--train-batch N] "
    "[--sample-batch N] [--steps N] [--no-header]";
const bench::Args kArgs{"retrain_bench_images", kUsage};

BenchOptions parse(int argc, char** argv) {
  BenchOptions o;
  kArgs.each_flag(argc, argv, {"--no-header"}, [&](const std::string& flag, const std::string& value) {
    if (flag == "--no-header") o.header = false;
    else if (flag == "--network") o.network = value;
    else if (flag == "--device") o.device = value;
    else if (flag == "--train-batch") o.train_batch = kArgs.positive(flag, value);
    else if (flag == "--sample-batch") o.sample_batch = kArgs.positive(flag, value);
    else if (flag == "--steps") o.steps = kArgs.positive(flag, value);
    else return false;
    return true;
  });
  if (o.network != "cifar10" && o.network != "fashion" && o.network != "all")
    kArgs.fail(fmt::format("--network {} is unknown; expected cifar10, fashion or all", o.network));
  return o;
}

std::vector<ImageNetwork> networks(const std::string& which) {
  auto fashion = SongUNetOptions::ddpmpp(32, 1);  // the Fashion-MNIST U-Net of our image configs
  fashion.model_channels = 32;
  fashion.channel_mult = {1, 2, 2};
  fashion.num_blocks = 2;
  fashion.attn_resolutions = {8};
  fashion.dropout = 0.1;
  std::vector<ImageNetwork> all = {{"cifar10", SongUNetOptions::ddpmpp(32, 3)}, {"fashion", fashion}};
  if (which == "all") return all;
  return {which == "cifar10" ? all[0] : all[1]};
}

void synchronize(torch::Device device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
}

std::int64_t parameter_count(const torch::nn::Module& net) {
  std::int64_t n = 0;
  for (const auto& p : net.parameters()) n += p.numel();
  return n;
}

struct Measurement {
  std::int64_t parameters;
  double sample_images_per_s, sample_peak_mib, train_images_per_s, train_peak_mib;
};

// Sampling first, then training: on CPU the training peak (the larger) then includes the sampling one.
Measurement measure(const ImageNetwork& network, const BenchOptions& o, torch::Device device) {
  const auto& n = network.options;
  const std::vector<std::int64_t> image = {n.in_channels, n.img_resolution, n.img_resolution};
  auto net = std::make_shared<SongUNet>(n);
  net->to(device);
  const auto method = std::make_shared<EdmMethod>();  // Heun, 18 steps: 35 network evaluations
  TrainerOptions to;
  to.batch_size = o.train_batch;
  to.lr = 1e-3;
  Trainer trainer(net, method, to);
  auto gen = make_generator(0, 0, Stream::Fit);
  const bench::PeakMemory peak(device);
  Measurement m{};
  m.parameters = parameter_count(*net);

  {
    torch::NoGradGuard no_grad;
    std::vector<std::int64_t> shape = {o.sample_batch};
    shape.insert(shape.end(), image.begin(), image.end());
    const auto warm_up_x = torch::randn(shape, torch::TensorOptions().device(device));
    method->denoise(*trainer.ema(), warm_up_x, torch::ones({o.sample_batch}, warm_up_x.options()), torch::Tensor());
    synchronize(device);
    peak.reset();
    const auto start = std::chrono::steady_clock::now();
    method->sample(*trainer.ema(), shape, torch::Tensor(), gen);
    synchronize(device);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    m.sample_images_per_s = static_cast<double>(o.sample_batch) / seconds;
    m.sample_peak_mib = peak.mib();
  }

  std::vector<std::int64_t> data_shape = {2 * o.train_batch};
  data_shape.insert(data_shape.end(), image.begin(), image.end());
  const auto data = (0.5 * at::randn(data_shape, gen)).clamp(-1, 1).to(device);
  trainer.fit(data, torch::Tensor(), o.train_batch, gen);  // warm-up step
  peak.reset();
  const auto stats = trainer.fit(data, torch::Tensor(), o.steps * o.train_batch, gen);  // ends with a sync
  m.train_images_per_s = stats.images_per_s;
  m.train_peak_mib = peak.mib();
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse(argc, argv);
  keep_freed_memory_in_heap();  // as the retrain executable does
  torch::Device device = torch::kCPU;
  try {
    device = resolve_device(options.device);
  } catch (const std::exception& e) {
    kArgs.fail(e.what());
  }
  torch::manual_seed(0);
  if (options.header) {
    std::cout << fmt::format("device {}, {} CPU threads; training: EDM loss + backward + Adam + EMA, timed steps "
                             "after 1 warm-up step; sampling: EDM Heun, 18 steps (35 evaluations)\n\n",
                             device.str(), at::get_num_threads());
    std::cout << "| network | parameters | train batch | timed steps | train images/s | train peak MiB "
                 "| sample batch | sample images/s | sample peak MiB |\n"
                 "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  }
  for (const auto& network : networks(options.network)) {
    const auto m = measure(network, options, device);
    std::cout << fmt::format("| {} | {:.1f}M | {} | {} | {:.3g} | {:.0f} | {} | {:.3g} | {:.0f} |\n", network.name,
                             static_cast<double>(m.parameters) / 1e6,
                             options.train_batch, options.steps, m.train_images_per_s, m.train_peak_mib, options.sample_batch,
                             m.sample_images_per_s, m.sample_peak_mib)
              << std::flush;
  }
}
