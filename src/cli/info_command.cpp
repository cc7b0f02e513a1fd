// `retrain info`: build flags, torch/CUDA versions, devices; the resolved config with --config;
// the reference of every config key with --keys.
#include <fmt/format.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <cstdlib>
#include <iostream>

#ifdef RETRAIN_WITH_CUDA
#include <ATen/cuda/CUDAContext.h>
#endif

#include "commands.hpp"
#include "options.hpp"
#include "retrain/core/build_info.hpp"
#include "retrain/loop/config.hpp"
#include "retrain/loop/experiment.hpp"

namespace retrain::cli {
namespace {

// How libgomp's idle threads wait, as the environment set it when this process loaded (the launcher,
// build/retrain, sets GOMP_SPINCOUNT unless the user chose a policy).
std::string openmp_wait_policy() {
  for (const char* name : {"OMP_WAIT_POLICY", "GOMP_SPINCOUNT"})
    if (const char* value = std::getenv(name)) return fmt::format("{}={}", name, value);
  return "libgomp's default (started without the launcher build/retrain)";
}

}  // namespace

int info_command(const CommonOptions& options, bool keys) {
  if (keys) {
    std::cout << config_reference_markdown();
    return 0;
  }
  const auto& b = build_info();
  std::cout << fmt::format("retrain {} ({}), {} build, {}\n", b.version, b.git_commit.empty() ? "no git" : b.git_commit,
                           b.build_type, b.compiler);
  std::cout << fmt::format("torch: {} (headers {}), CUDA in torch: {}\n", b.torch_version, TORCH_VERSION,
                           b.torch_cuda_version.empty() ? "none" : b.torch_cuda_version);
  std::cout << fmt::format("retrain CUDA kernels: {}{}\n", b.with_cuda_kernels ? "built" : "not built",
                           b.with_cuda_kernels ? " for architectures " + b.cuda_archs : "");
  std::cout << fmt::format("CPU threads: {}, OpenMP wait: {}\n", at::get_num_threads(), openmp_wait_policy());
  const auto gpus = torch::cuda::device_count();
  std::cout << fmt::format("CUDA devices visible: {}\n", gpus);
#ifdef RETRAIN_WITH_CUDA
  for (int i = 0; i < static_cast<int>(gpus); ++i) {
    const auto* p = at::cuda::getDeviceProperties(i);
    std::cout << fmt::format("  cuda:{} {} ({:.1f} GiB, sm_{}{})\n", i, p->name,
                             static_cast<double>(p->totalGlobalMem) / (1 << 30), p->major, p->minor);
  }
#endif
  if (!options.config.empty()) {
    const Config config = load_config_file(options.config, overrides_from(options));
    nlohmann::json model;
    try {
      model = check_experiment(config);
    } catch (const std::exception& e) {
      std::cout << fmt::format("\nwarning: the experiment cannot be built here: {}\n"
                               "the network below is sized from the config alone (data.format, data.resolution)\n",
                               e.what());
      model = configured_network_size(config);
    }
    if (model.contains("parameters"))
      std::cout << fmt::format("\nparameters: {}\nbuffers: {}\nmodel memory: {:.1f} MiB (weights; the EMA copy and "
                               "Adam's two moments add three times that in training)\n",
                               model["parameters"].get<std::int64_t>(), model["buffers"].get<std::int64_t>(),
                               static_cast<double>(model["bytes"].get<std::int64_t>()) / (1 << 20));
    std::cout << fmt::format("\nresolved config (hash {}):\n{}", config_hash(config), to_yaml(config));
  }
  return 0;
}

}  // namespace retrain::cli
