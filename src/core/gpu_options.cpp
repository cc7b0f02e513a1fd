// The gpu.* keys (gpu_options.hpp).
#include "retrain/core/gpu_options.hpp"

namespace retrain {

const OptionTable<GpuOptions>& gpu_option_table() {
  static const auto table = OptionTable<GpuOptions>()
      .flag("gpu.cudnn_benchmark", &GpuOptions::cudnn_benchmark,
        "CUDA: let cuDNN time its convolution algorithms for each new shape and keep the fastest (as NVlabs/edm).")
      .flag("gpu.tf32", &GpuOptions::tf32,
        "CUDA: float32 matrix products and convolutions in TF32 (faster, 10-bit mantissa); false = full float32 "
        "(as NVlabs/edm's training). bf16 autocast (train.precision, method.sample_precision) is separate.");
  return table;
}

}  // namespace retrain
