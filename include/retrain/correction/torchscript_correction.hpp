// Self-correction by a user's TorchScript module: forward(images) or forward(images, labels) maps
// float [B, C, H, W] images in [-1, 1] to corrected images of the same shape.
#pragma once
#include <torch/script.h>

#include <filesystem>
#include <string>

#include "retrain/correction/correction.hpp"

namespace retrain {

class TorchScriptCorrection final : public Correction {
 public:
  // Loads `module_file` onto `device`; apply() runs it on batches of `batch_size` images. Throws
  // UsageError naming the file when it is missing, not TorchScript, or has no usable forward.
  TorchScriptCorrection(std::filesystem::path module_file, torch::Device device = torch::kCPU,
                        std::int64_t batch_size = CorrectionOptions{}.batch);

  // samples float [R, n, C, H, W]; labels int64 [R, n], passed on when defined and forward takes
  // them. The module's output must be finite with the shape and dtype of its input.
  torch::Tensor apply(const torch::Tensor& samples, const torch::Tensor& labels, at::Generator& gen) const override;
  std::string describe() const override;

 private:
  torch::Tensor run_batch(const torch::Tensor& images, const torch::Tensor& labels) const;

  std::filesystem::path file_;
  mutable torch::jit::Module module_;  // running forward is not const in the JIT API
  bool takes_labels_;                  // forward has a second input
  bool needs_labels_;                  // ... without a default value
  torch::Device device_;
  std::int64_t batch_size_;
};

}  // namespace retrain
