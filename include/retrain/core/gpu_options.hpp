// The gpu.* keys: process-wide CUDA settings (ignored on the CPU). The member initialisers are the keys'
// defaults; gpu_option_table() registers them, and device.hpp's apply_gpu_settings applies them.
#pragma once
#include "retrain/core/options.hpp"

namespace retrain {

struct GpuOptions {
  bool cudnn_benchmark = true;  // let cuDNN time its convolution algorithms per shape
  bool tf32 = false;            // float32 matrix products and convolutions in TF32
};

const OptionTable<GpuOptions>& gpu_option_table();

}  // namespace retrain
