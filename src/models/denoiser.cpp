// Denoiser: where its parameters live.
#include "retrain/models/denoiser.hpp"

namespace retrain {

torch::Device Denoiser::device() const {
  const auto params = parameters();
  return params.empty() ? torch::Device(torch::kCPU) : params.front().device();
}

torch::ScalarType Denoiser::dtype() const {
  const auto params = parameters();
  return params.empty() ? torch::kFloat32 : params.front().scalar_type();
}

}  // namespace retrain
