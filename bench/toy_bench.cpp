// Toy benchmark, C++ side: per method (ddpm, edm, cfm), milliseconds per training step of the MLP
// denoiser (4x256, batch 256: loss, backward, Adam, EMA) and seconds per full sampling pass, printed as
// JSON lines. bench/toy_bench.py does the same computation in Python; scripts/bench_toy.sh compares.
//   build/bench/retrain_bench_toy [--steps N] [--samples N] [--width W] [--precision fp32|bf16]
// bf16: bfloat16 autocast around the loss in training (train.precision: bf16); sampling stays float32.
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "retrain/core/allocator.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/diffusion/make_method.hpp"
#include "retrain/models/mlp_denoiser.hpp"
#include "retrain/train/trainer.hpp"

using namespace retrain;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::int64_t steps = 200, samples = 2000, width = 256;
  std::string precision = "fp32";
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--steps")) steps = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--samples")) samples = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--width")) width = std::atoll(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--precision")) precision = argv[i + 1];
  }
  if (precision != "fp32" && precision != "bf16") {
    std::cerr << "--precision " << precision << ": expected fp32 or bf16\n";
    return 2;
  }
  keep_freed_memory_in_heap();  // as the retrain executable does
  const std::int64_t batch = 256, warmup = 20;
  torch::manual_seed(0);
  auto data = torch::randn({8192, 2});
  for (const auto& [name, type] : Choices<MethodType>::items) {
    MethodOptions mo;
    mo.type = type;
    std::shared_ptr<Method> method = make_method(mo);
    MlpDenoiserOptions no;  // 4 residual blocks; width 256 is the benchmark network
    no.width = width;
    TrainerOptions to;
    to.batch_size = batch;
    to.lr = 1e-3;
    to.ema.decay = 0.999;
    to.precision = precision == "bf16" ? Precision::bf16 : Precision::fp32;
    Trainer trainer(std::make_shared<MlpDenoiser>(no), method, to);
    auto gen = make_generator(0, 0, Stream::Fit);
    trainer.fit(data, torch::Tensor(), warmup * batch, gen);
    auto t0 = std::chrono::steady_clock::now();
    trainer.fit(data, torch::Tensor(), steps * batch, gen);
    const double step_ms = 1000 * seconds_since(t0) / static_cast<double>(steps);
    torch::NoGradGuard no_grad;
    t0 = std::chrono::steady_clock::now();
    auto x = method->sample(*trainer.ema(), {samples, 2}, torch::Tensor(), gen);
    const double sample_s = seconds_since(t0);
    std::cout << nlohmann::json{{"impl", "cpp"}, {"method", name}, {"train_step_ms", step_ms},
                                {"sample_s", sample_s}, {"samples", samples}, {"width", width}, {"precision", precision},
                                {"threads", at::get_num_threads()}}
                     .dump()
              << std::endl;
  }
}
