// The `device` setting (auto | cpu | cuda) resolved against what this process can see, and the
// process-wide CUDA backend settings of the config's gpu.* keys.
#pragma once
#include <torch/types.h>

#include <string>

#include "retrain/core/config.hpp"

namespace retrain {

// UsageError when cuda is asked for but no CUDA device is visible.
torch::Device resolve_device(DeviceChoice choice);
// The same for a name (a --device flag); UsageError naming the choices for an unknown one.
torch::Device resolve_device(const std::string& setting);
// resolve_device(config.device), and for a CUDA device apply_gpu_settings(config.gpu).
torch::Device resolve_device(const Config& config);
// cuDNN autotuning (gpu.cudnn_benchmark) and the TF32 policy of float32 matrix products and
// convolutions (gpu.tf32); a no-op without CUDA.
void apply_gpu_settings(const GpuConfig& gpu);

}  // namespace retrain
