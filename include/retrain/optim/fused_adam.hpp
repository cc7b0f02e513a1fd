// Adam / AdamW whose whole update is one fused ATen kernel over all parameters (at::_fused_adam_ and
// at::_fused_adamw_, on CPU and CUDA) instead of ~10 ops per parameter; its state is kept and saved
// by parameter name (safetensors), so it is readable from Python and survives code changes.
#pragma once
#include <torch/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "retrain/core/safetensors.hpp"

namespace retrain {

struct FusedAdamOptions {
  bool decoupled_weight_decay = false;  // false: Adam (L2 added to the gradient); true: AdamW
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.0;
};

class FusedAdam {
 public:
  FusedAdam(std::vector<std::pair<std::string, torch::Tensor>> named_parameters, FusedAdamOptions options);
  // One update with learning rate `lr` from the parameters' .grad() (parameters without one are skipped).
  void step(double lr);
  // Drops the gradients (the next backward allocates fresh ones).
  void zero_grad();
  // "exp_avg.<name>", "exp_avg_sq.<name>", "step.<name>" for every parameter.
  TensorMap state() const;
  // Restores state(); missing or mis-shaped entries throw CorruptFile naming `source`.
  void load_state(const TensorMap& state, const std::filesystem::path& source);

 private:
  std::vector<std::string> names_;
  std::vector<torch::Tensor> params_, exp_avg_, exp_avg_sq_, steps_;
  FusedAdamOptions options_;
};

}  // namespace retrain
