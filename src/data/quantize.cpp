// quantize_images: EDM's float -> uint8 pixel rule.
#include "retrain/data/quantize.hpp"

namespace retrain {

torch::Tensor quantize_images(const torch::Tensor& x) {
  return (x.to(torch::kFloat32) * 127.5 + 128).floor().clamp(0, 255).to(torch::kUInt8);
}

}  // namespace retrain
