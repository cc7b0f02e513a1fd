// affine_mix dispatch: shape checks, then the CUDA kernel or the ATen expression.
#include "retrain/ops/affine_mix.hpp"

#include <fmt/format.h>

namespace retrain::ops {

torch::Tensor affine_mix(const torch::Tensor& x, const torch::Tensor& a, const torch::Tensor& y, const torch::Tensor& b) {
  TORCH_CHECK(x.sizes() == y.sizes(), "affine_mix: x ", x.sizes(), " and y ", y.sizes(), " differ in shape");
  TORCH_CHECK(x.scalar_type() == y.scalar_type(), "affine_mix: x and y differ in dtype");
  TORCH_CHECK(x.dim() >= 1 && a.dim() == 1 && b.dim() == 1 && a.size(0) == x.size(0) && b.size(0) == x.size(0),
              "affine_mix: a and b must be [N] with N = x.size(0) = ", x.size(0), "; got a ", a.sizes(), ", b ", b.sizes());
  TORCH_CHECK(x.device() == y.device() && x.device() == a.device() && x.device() == b.device(),
              "affine_mix: all tensors must be on one device");
  if (x.is_cuda()) {
#ifdef RETRAIN_WITH_CUDA
    return detail::affine_mix_cuda(x, a, y, b);
#else
    TORCH_CHECK(false, "affine_mix on CUDA tensors requires a build with RETRAIN_CUDA=ON");
#endif
  }
  std::vector<std::int64_t> shape(x.dim(), 1);
  shape[0] = x.size(0);
  return a.view(shape).to(x.scalar_type()) * x + b.view(shape).to(x.scalar_type()) * y;
}

}  // namespace retrain::ops
