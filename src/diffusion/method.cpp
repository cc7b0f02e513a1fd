// Method helpers shared by the three methods: network evaluation across dtypes, seeded noise.
#include "retrain/diffusion/method.hpp"

#include <fmt/format.h>

#include <cmath>

#include "retrain/core/errors.hpp"

namespace retrain {

torch::Tensor Method::evaluate(Denoiser& net, const torch::Tensor& x_in, const torch::Tensor& noise_level,
                               const torch::Tensor& labels) {
  const auto device = net.device();
  const auto dtype = net.dtype();
  auto out = net.forward(x_in.to(device, dtype), noise_level.to(device, dtype),
                         labels.defined() ? labels.to(device) : labels);
  return out.to(x_in.scalar_type());
}

void Method::set_guidance(double w) {
  if (!std::isfinite(w) || w < 0) throw UsageError(fmt::format("guidance = {} is invalid; expected a number >= 0 (1 = off)", w));
  guidance_ = w;
}

torch::Tensor Method::evaluate_guided(Denoiser& net, const torch::Tensor& x_in, const torch::Tensor& noise_level,
                                      const torch::Tensor& labels) const {
  if (guidance_ == 1.0 || !labels.defined()) return evaluate(net, x_in, noise_level, labels);
  // One pass over [conditional; unconditional] halves.
  const auto n = x_in.size(0);
  auto out = evaluate(net, torch::cat({x_in, x_in}), torch::cat({noise_level, noise_level}),
                      torch::cat({labels, torch::full_like(labels, -1)}));
  auto cond = out.narrow(0, 0, n), uncond = out.narrow(0, n, n);
  return torch::lerp(uncond, cond, guidance_);
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
