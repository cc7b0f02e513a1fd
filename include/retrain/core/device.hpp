// The `device` setting (auto | cpu | cuda) resolved against what this process can see, and the
// process-wide CUDA backend settings of the config's gpu.* keys.
#pragma once
#include <torch/types.h>

#include <optional>
#include <string>

#include "retrain/core/choices.hpp"
#include "retrain/core/gpu_options.hpp"

namespace retrain {

// UsageError when cuda is asked for but no CUDA device is visible.
torch::Device resolve_device(DeviceChoice choice);
// The same for a name (a --device flag); UsageError naming the choices for an unknown one.
torch::Device resolve_device(const std::string& setting);
// resolve_device(choice), and for a CUDA device apply_gpu_settings(gpu).
torch::Device resolve_device(DeviceChoice choice, const GpuOptions& gpu);
// cuDNN autotuning (gpu.cudnn_benchmark) and the TF32 policy of float32 matrix products and
// convolutions (gpu.tf32); a no-op without CUDA.
void apply_gpu_settings(const GpuOptions& gpu);

// `t` on `device` (and in `dtype` when given). A CPU tensor bound for a GPU goes through page-locked
// memory with a copy that does not block the host (ordered on the current stream, so later work on
// that stream sees it; torch's pinned-memory cache keeps the staging buffer until the copy is done);
// anything else is t.to(device, dtype).
torch::Tensor to_device(const torch::Tensor& t, const torch::Device& device,
                        std::optional<torch::ScalarType> dtype = std::nullopt);

}  // namespace retrain
