// Method helpers shared by the three methods: network evaluation across dtypes, noise keys, per-row coefficients.
#include "retrain/diffusion/method.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "retrain/core/autocast.hpp"
#include "retrain/core/device.hpp"
#include "retrain/core/require.hpp"
#include "retrain/core/nvtx.hpp"
#include "retrain/ops/philox_noise.hpp"

namespace retrain {

torch::Tensor Method::evaluate(Denoiser& net, const torch::Tensor& x_in, const torch::Tensor& noise_level,
                               const torch::Tensor& labels) {
  const auto device = net.device();
  const auto dtype = net.dtype();
  auto out = net.forward(to_device(x_in, device, dtype), to_device(noise_level, device, dtype),
                         labels.defined() ? to_device(labels, device) : labels);
  return out.to(x_in.scalar_type());
}

void Method::set_guidance(double w) {
  require(std::isfinite(w) && w >= 0, "method", "guidance", w, "a number >= 0 (1 = off)");
  guidance_ = w;
}

torch::Tensor Method::evaluate_guided(Denoiser& net, const torch::Tensor& x_in, const torch::Tensor& noise_level,
                                      const torch::Tensor& labels) const {
  const NvtxRange range("denoiser");
  const Bf16Autocast autocast(net.device().type(), sample_bf16_);
  if (guidance_ == 1.0 || !labels.defined()) return evaluate(net, x_in, noise_level, labels);
  // One pass over [conditional; unconditional] halves.
  const auto n = x_in.size(0);
  auto out = evaluate(net, torch::cat({x_in, x_in}), torch::cat({noise_level, noise_level}),
                      torch::cat({labels, torch::full_like(labels, -1)}));
  auto cond = out.narrow(0, 0, n), uncond = out.narrow(0, n, n);
  return torch::lerp(uncond, cond, guidance_);
}

torch::Tensor Method::batch_keys(at::Generator& gen, std::int64_t n, const torch::Device& device) {
  const auto base = at::randint(std::numeric_limits<std::int64_t>::max(), {1}, gen, torch::kLong).item<std::int64_t>();
  return ops::consecutive_keys(static_cast<std::uint64_t>(base), n, device);
}

ops::GraphedCall Method::sampler_network(Denoiser& net, const torch::Tensor& labels) const {
  return ops::GraphedCall(
      [this, &net, labels](const std::vector<torch::Tensor>& in) { return evaluate_guided(net, in.at(0), in.at(1), labels); },
      sample_cuda_graphs_);
}

torch::Tensor Method::per_row(double value, const torch::Tensor& x) { return torch::full({x.size(0)}, value, x.options()); }

torch::Tensor Method::per_sample(const torch::Tensor& v, const torch::Tensor& x) {
  std::vector<std::int64_t> shape(x.dim(), 1);
  shape[0] = x.size(0);
  return v.view(shape);
}

}  // namespace retrain
