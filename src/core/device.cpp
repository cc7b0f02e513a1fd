// Device resolution.
#include "retrain/core/device.hpp"

#include <fmt/format.h>
#include <torch/cuda.h>

#include "retrain/core/errors.hpp"

namespace retrain {

torch::Device resolve_device(const std::string& setting) {
  const bool gpu = torch::cuda::is_available();
  if (setting == "cpu") return torch::kCPU;
  if (setting == "cuda") {
    if (!gpu) throw UsageError("device: cuda was asked for, but no CUDA device is visible; use --device cpu or auto");
    return torch::Device(torch::kCUDA, 0);
  }
  if (setting == "auto") return gpu ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  throw UsageError(fmt::format("device: '{}' is not one of auto, cpu, cuda", setting));
}

}  // namespace retrain
