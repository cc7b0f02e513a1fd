// Method helpers shared by the three methods: network evaluation across dtypes, seeded noise.
#include "retrain/diffusion/method.hpp"

namespace retrain {

torch::Tensor Method::evaluate(Denoiser& net, const torch::Tensor& x_in, const torch::Tensor& noise_level,
                               const torch::Tensor& labels) {
  const auto device = net.device();
  const auto dtype = net.dtype();
  auto out = net.forward(x_in.to(device, dtype), noise_level.to(device, dtype),
                         labels.defined() ? labels.to(device) : labels);
  return out.to(x_in.scalar_type());
}

torch::Tensor Method::randn(at::IntArrayRef shape, at::Generator& gen, const torch::TensorOptions& options) {
  return at::randn(shape, gen, torch::TensorOptions().dtype(options.dtype())).to(options.device());
}

torch::Tensor Method::per_sample(const torch::Tensor& v, const torch::Tensor& x) {
  std::vector<std::int64_t> shape(x.dim(), 1);
  shape[0] = x.size(0);
  return v.view(shape);
}

}  // namespace retrain
