// Network benchmark: training and sampling images/s of the paper-scale image networks as the shipped
// configs build them (configs/<name>.yaml: network, method, batch, precision, channels-last), each with
// retrain's fused kernels (ops::OpPath::kernel) and with plain ATen (OpPath::aten) in the same run
// (sampling on a GPU also with the kernels and CUDA graphs, method.sample_cuda_graphs), with peak
// memory, analytic FLOPs (bench/flop_count) and MFU against given peaks; Markdown tables on stdout.
//   build/bench/retrain_bench_networks [--device cpu|cuda] [--networks cifar_edm,ffhq_edm,cifar_ddpm]
//       [--configs DIR] [--set key=value ...] [--train-batch N] [--sample-batch N] [--train-steps N]
//       [--edm-steps N] [--ddpm-steps N] [--peak-tflops-bf16 X] [--peak-tflops-tf32 X]
//       [--peak-tflops-fp32 X] [--no-aten-sampling] [--no-header]
// --no-aten-sampling skips the ATen sampling column (n/a), the longest of a GPU run's measurements.
#include <fmt/format.h>
#include <torch/cuda.h>

#include <chrono>
#include <cmath>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>


#include "flop_count.hpp"
#include "bench_args.hpp"
#include "peak_memory.hpp"
#include "retrain/core/allocator.hpp"
#include "retrain/loop/config.hpp"
#include "retrain/core/device.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/diffusion/make_method.hpp"
#include "retrain/learners/diffusion_learner.hpp"
#include "retrain/models/make_network.hpp"
#include "retrain/ops/op_path.hpp"
#include "retrain/train/trainer.hpp"

using namespace retrain;

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();

struct BenchOptions {
  std::string device = "cpu";
  std::vector<std::string> networks = {"cifar_edm", "ffhq_edm", "cifar_ddpm"};  // config stems
  std::string configs = "configs";
  std::vector<Override> overrides;      // --set, applied to every network's config
  std::int64_t train_batch = 0;         // 0 = the config's train.batch
  std::int64_t sample_batch = 0;        // 0 = the config's method.sample_batch
  std::int64_t train_steps = 10;        // timed training steps, after one warm-up step
  std::int64_t edm_steps = 0;           // EDM sampler steps; 0 = the config's method.steps
  std::int64_t ddpm_steps = 0;          // DDPM ancestral steps T; 0 = the config's method.ddpm.timesteps
  double peak_bf16 = kNan, peak_tf32 = kNan, peak_fp32 = kNan;  // TFLOP/s the MFU is relative to
  bool header = true;
  bool aten_sampling = true;  // time sampling on the ATen path too
};

constexpr const char* kUsage =
    "usage: retrain_bench_networks [--device cpu|cuda] [--networks a,b,...] [--configs DIR] [--set key=value ...] "
    "[--train-batch N] [--sample-batch N] [--train-steps N] [--edm-steps N] [--ddpm-steps N] "
    "[--peak-tflops-bf16 X] [--peak-tflops-tf32 X] [--peak-tflops-fp32 X] [--no-aten-sampling] [--no-header]";
const bench::Args kArgs{"retrain_bench_networks", kUsage};

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

BenchOptions parse(int argc, char** argv) {
  BenchOptions o;
  const std::string tflops = "a number of TFLOP/s";
  kArgs.each_flag(argc, argv, {"--no-header", "--no-aten-sampling"}, [&](const std::string& flag, const std::string& value) {
    if (flag == "--no-header") o.header = false;
    else if (flag == "--no-aten-sampling") o.aten_sampling = false;
    else if (flag == "--device") o.device = value;
    else if (flag == "--networks") o.networks = split(value);
    else if (flag == "--configs") o.configs = value;
    else if (flag == "--set") o.overrides.push_back(parse_override(value));
    else if (flag == "--train-batch") o.train_batch = kArgs.positive(flag, value);
    else if (flag == "--sample-batch") o.sample_batch = kArgs.positive(flag, value);
    else if (flag == "--train-steps") o.train_steps = kArgs.positive(flag, value);
    else if (flag == "--edm-steps") o.edm_steps = kArgs.positive(flag, value);
    else if (flag == "--ddpm-steps") o.ddpm_steps = kArgs.positive(flag, value);
    else if (flag == "--peak-tflops-bf16") o.peak_bf16 = kArgs.positive_real(flag, value, tflops);
    else if (flag == "--peak-tflops-tf32") o.peak_tf32 = kArgs.positive_real(flag, value, tflops);
    else if (flag == "--peak-tflops-fp32") o.peak_fp32 = kArgs.positive_real(flag, value, tflops);
    else return false;
    return true;
  });
  if (o.networks.empty()) kArgs.fail("--networks is empty; expected config names such as cifar_edm,ffhq_edm");
  return o;
}

void synchronize(torch::Device device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
}

// Passes every call on to `net` and counts the images it evaluates: a sampler's network evaluations.
class CountingDenoiser final : public Denoiser {
 public:
  explicit CountingDenoiser(std::shared_ptr<Denoiser> net) : net_(register_module("net", std::move(net))) {}
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& noise_level, const torch::Tensor& labels) override {
    images_ += x.size(0);
    return net_->forward(x, noise_level, labels);
  }
  std::shared_ptr<Denoiser> replicate() const override { return std::make_shared<CountingDenoiser>(net_->replicate()); }
  std::int64_t images() const { return images_; }

 private:
  std::shared_ptr<Denoiser> net_;
  std::int64_t images_ = 0;
};

// One network as its config builds it, with the benchmark's batch and step choices applied.
struct Setup {
  std::string name;
  Config config;
  std::vector<std::int64_t> image;  // [C, R, R]
  MethodOptions training;           // the config's method (its loss trains the network)
  MethodOptions method;             // the timed sampler
  MethodOptions warm_up;            // the same sampler with the fewest steps (cuDNN autotuning, allocator)
  std::int64_t train_batch, sample_batch;
};

Setup make_setup(const std::string& name, const BenchOptions& o) {
  Setup s{name, load_config_file(std::filesystem::path(o.configs) / (name + ".yaml"), o.overrides), {}, {}, {}, {}, 0, 0};
  const auto& c = s.config;
  if (c.learner.type != LearnerType::diffusion || c.data.source != DataSource::image || c.data.resolution <= 0)
    throw UsageError(fmt::format("{}: expected an image diffusion config with data.resolution set, got learner.type {}, "
                                 "data.source {}, data.resolution {}", name, c.learner.type, c.data.source,
                                 c.data.resolution));
  // As `retrain info` sizes a network without its data: IDX is greyscale, the other formats RGB.
  s.image = {c.data.format == DataFormat::idx ? 1 : 3, c.data.resolution, c.data.resolution};
  s.training = s.method = c.method;
  if (s.method.type == MethodType::ddpm) {  // ancestral sampling runs all T steps (the config's DDIM steps do not apply)
    s.method.sampler = SamplerChoice::ancestral;
    s.method.steps = 0;
    if (o.ddpm_steps > 0) s.method.ddpm.num_timesteps = o.ddpm_steps;
    s.method.ddpm.ddim_steps = s.method.ddpm.num_timesteps;  // unused by ancestral sampling, but checked against T
    s.warm_up = s.method;
    s.warm_up.ddpm.num_timesteps = s.warm_up.ddpm.ddim_steps = 2;
  } else {
    s.warm_up = s.method;
    if (o.edm_steps > 0) s.method.steps = o.edm_steps;
    s.warm_up.steps = 2;
  }
  s.train_batch = o.train_batch > 0 ? o.train_batch : c.train.batch_size;
  s.sample_batch = o.sample_batch > 0 ? o.sample_batch : c.method.sample_batch;
  return s;
}

struct Phase {
  double images_per_s = kNan, peak_mib = kNan;
  double forward_passes = kNan;  // forward-pass equivalents per image
};

// One warm-up step, then `steps` timed steps (Trainer::fit ends with a synchronisation).
Phase measure_training(Trainer& trainer, const torch::Tensor& data, std::int64_t batch, std::int64_t steps,
                       const bench::PeakMemory& peak, at::Generator& gen) {
  trainer.fit(data, torch::Tensor(), batch, gen);
  peak.reset();
  const auto stats = trainer.fit(data, torch::Tensor(), steps * batch, gen);
  // Backward costs two forward passes (gradients of activations and of weights).
  return {stats.images_per_s, peak.mib(), 3.0};
}

// With `graphs`, the sampler's network calls replay a CUDA graph (captured in the timed call, as a
// run captures one per batch).
Phase measure_sampling(const Setup& s, std::shared_ptr<Denoiser> ema, const bench::PeakMemory& peak,
                       torch::Device device, bool graphs) {
  torch::NoGradGuard no_grad;
  std::vector<std::int64_t> shape = {s.sample_batch};
  shape.insert(shape.end(), s.image.begin(), s.image.end());
  const auto seeds = sample_seeds(0, 0, s.sample_batch);
  CountingDenoiser counted(std::move(ema));
  make_method(s.warm_up)->sample(counted, shape, torch::Tensor(), SampleNoise::per_sample(seeds));
  synchronize(device);
  const auto warm_up_images = counted.images();
  auto options = s.method;
  options.sample_cuda_graphs = graphs;
  const auto method = make_method(options);
  peak.reset();
  const auto start = std::chrono::steady_clock::now();
  method->sample(counted, shape, torch::Tensor(), SampleNoise::per_sample(seeds));
  synchronize(device);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto evaluated = counted.images() - warm_up_images;
  return {static_cast<double>(s.sample_batch) / seconds, peak.mib(),
          static_cast<double>(evaluated) / static_cast<double>(s.sample_batch)};
}

struct Row {
  std::string phase, precision;
  std::int64_t batch;
  Phase kernel, aten, graphs;  // graphs: kernels + CUDA graphs (sampling on a GPU only)
  double peak_tflops;
};

double peak_for(const std::string& precision, const BenchOptions& o) {
  if (precision == "bf16") return o.peak_bf16;
  return precision == "tf32" ? o.peak_tf32 : o.peak_fp32;
}

std::string cell(double x, const char* format = "{:.3g}") {
  return std::isfinite(x) ? fmt::format(fmt::runtime(format), x) : "n/a";
}

void print_row(const Setup& s, std::int64_t parameters, const bench::FlopCount& flops, const Row& r) {
  const auto gflop = static_cast<double>(flops.total()) / 1e9;
  const auto achieved = r.kernel.images_per_s * r.kernel.forward_passes * gflop / 1e3;  // TFLOP/s
  std::cout << fmt::format("| {} | {:.1f}M | {:.2f} | {} | {} | {} | {:.4g} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                           s.name, static_cast<double>(parameters) / 1e6, gflop, r.phase, r.batch, r.precision,
                           r.kernel.forward_passes, cell(r.kernel.images_per_s), cell(r.aten.images_per_s),
                           cell(r.kernel.images_per_s / r.aten.images_per_s, "{:.2f}"), cell(r.graphs.images_per_s),
                           cell(r.graphs.images_per_s / r.kernel.images_per_s, "{:.2f}"), cell(r.kernel.peak_mib, "{:.0f}"),
                           cell(r.aten.peak_mib, "{:.0f}"), cell(achieved), cell(100 * achieved / r.peak_tflops, "{:.1f}%"))
            << std::flush;
}

void run_network(const Setup& s, const BenchOptions& o, torch::Device device) {
  if (device.is_cuda()) apply_gpu_settings(s.config.gpu);
  torch::manual_seed(0);
  const auto net = make_network(s.config.model, s.image, 0);
  const auto flops = bench::forward_flops(*net);
  std::int64_t parameters = 0;
  for (const auto& p : net->parameters()) parameters += p.numel();
  net->to(device);
  auto trainer_opts = s.config.train;
  trainer_opts.batch_size = s.train_batch;
  Trainer trainer(net, make_method(s.training), trainer_opts);
  auto gen = make_generator(0, 0, Stream::Fit);
  std::vector<std::int64_t> data_shape = {2 * s.train_batch};
  data_shape.insert(data_shape.end(), s.image.begin(), s.image.end());
  const auto data = at::randint(0, 256, data_shape, gen, torch::kUInt8).to(device);  // images, as runs feed them
  const bench::PeakMemory peak(device);
  const auto tf32 = device.is_cuda() && s.config.gpu.tf32;
  const auto fp32_name = tf32 ? "tf32" : "fp32";
  Row train{"train", s.config.train.precision == Precision::bf16 ? "bf16" : fp32_name, s.train_batch, {}, {}, kNan};
  Row sample{"sample", s.config.method.sample_precision == Precision::bf16 ? "bf16" : fp32_name, s.sample_batch, {}, {}, kNan};
  for (const auto path : {ops::OpPath::kernel, ops::OpPath::aten}) {
    const ops::OpPathGuard guard(path);
    const auto t = measure_training(trainer, data, s.train_batch, o.train_steps, peak, gen);
    (path == ops::OpPath::kernel ? train.kernel : train.aten) = t;
    if (path == ops::OpPath::aten && !o.aten_sampling) continue;
    const auto p = measure_sampling(s, trainer.ema(), peak, device, false);
    (path == ops::OpPath::kernel ? sample.kernel : sample.aten) = p;
    if (path == ops::OpPath::kernel && device.is_cuda()) sample.graphs = measure_sampling(s, trainer.ema(), peak, device, true);
  }
  train.peak_tflops = peak_for(train.precision, o);
  sample.peak_tflops = peak_for(sample.precision, o);
  print_row(s, parameters, flops, train);
  print_row(s, parameters, flops, sample);
}

void print_flops(const Setup& s) {
  torch::manual_seed(0);
  const auto f = bench::forward_flops(*make_network(s.config.model, s.image, 0));
  const auto g = [](std::int64_t flops) { return static_cast<double>(flops) / 1e9; };
  std::cout << fmt::format("| {} | {}x{}x{} | {:.3f} | {:.3f} | {:.3f} | {:.3f} | {:.3f} |\n", s.name, s.image[0],
                           s.image[1], s.image[2], g(f.conv), g(f.linear), g(f.attention), g(f.group_norm), g(f.total()));
}

void print_header(const std::vector<Setup>& setups, const BenchOptions& options, torch::Device device) {
  std::cout << fmt::format(
      "device {}, {} CPU threads, fused ops: {}; training: the config's loss + backward + Adam + EMA, {} timed "
      "steps after 1 warm-up step; sampling: one timed sampler call after a 2-step warm-up\n\n",
      device.str(), at::get_num_threads(), ops::have_cuda_kernels() ? "CPU loops + CUDA kernels" : "CPU loops (no CUDA kernels built)",
      options.train_steps);
  std::cout << "Forward GFLOP per image (analytic, bench/flop_count; 2 per multiply-add):\n\n"
               "| network | image | conv | linear | attention | GroupNorm | total |\n|---|---|---:|---:|---:|---:|---:|\n";
  for (const auto& s : setups) print_flops(s);
  std::cout << "\n| network | parameters | fwd GFLOP/image | phase | batch | precision | fwd passes/image "
               "| images/s kernels | images/s ATen | kernels/ATen | images/s kernels+graphs | graphs/kernels "
               "| peak MiB kernels | peak MiB ATen | TFLOP/s kernels | MFU kernels |\n"
               "|---|---:|---:|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
}

}  // namespace

int main(int argc, char** argv) {
  const auto options = parse(argc, argv);
  keep_freed_memory_in_heap();  // as the retrain executable does
  torch::Device device = torch::kCPU;
  std::vector<Setup> setups;
  try {
    device = resolve_device(options.device);
    for (const auto& name : options.networks) setups.push_back(make_setup(name, options));
  } catch (const std::exception& e) {
    kArgs.fail(e.what());
  }
  try {
    if (options.header) print_header(setups, options, device);
    for (const auto& s : setups) run_network(s, options, device);
  } catch (const std::exception& e) {
    std::cerr << "retrain_bench_networks: error: " << e.what() << "\n";
    return 1;
  }
}
