// Device resolution, GPU settings and host-to-device copies.
#include "retrain/core/device.hpp"

#include <fmt/format.h>
#include <ATen/Context.h>
#include <torch/cuda.h>

#include "retrain/core/errors.hpp"

namespace retrain {

torch::Device resolve_device(DeviceChoice choice) {
  const bool gpu = torch::cuda::is_available();
  switch (choice) {
    case DeviceChoice::cpu: return torch::kCPU;
    case DeviceChoice::cuda:
      if (!gpu) throw UsageError("device: cuda was asked for, but no CUDA device is visible; use --device cpu or auto");
      return torch::Device(torch::kCUDA, 0);
    case DeviceChoice::automatic: break;
  }
  return gpu ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
}

torch::Device resolve_device(const std::string& setting) {
  const auto choice = parse_choice<DeviceChoice>(setting);
  if (!choice)
    throw UsageError(fmt::format("device: '{}' is not one of {}", setting, choice_names<DeviceChoice>()));
  return resolve_device(*choice);
}

torch::Device resolve_device(DeviceChoice choice, const GpuOptions& gpu) {
  const auto device = resolve_device(choice);
  if (device.is_cuda()) apply_gpu_settings(gpu);
  return device;
}

void apply_gpu_settings(const GpuOptions& gpu) {
  auto& context = at::globalContext();
  context.setBenchmarkCuDNN(gpu.cudnn_benchmark);
  // Through the legacy setters, which also set the per-op precision (CUDA matmul, cuDNN conv): setting
  // only the per-op precision leaves the legacy flags in a state that allowTF32CuBLAS() (read by
  // the profiler and by code written for torch < 2.9) refuses as "a mix of the legacy and new APIs".
  context.setAllowTF32CuBLAS(gpu.tf32);
  context.setAllowTF32CuDNN(gpu.tf32);
}

torch::Tensor to_device(const torch::Tensor& t, const torch::Device& device, std::optional<torch::ScalarType> dtype) {
  const auto type = dtype.value_or(t.scalar_type());
  if (!t.is_cpu() || !device.is_cuda()) return t.to(device, type);
  return t.to(type).pin_memory().to(device, type, /*non_blocking=*/true);
}

}  // namespace retrain
