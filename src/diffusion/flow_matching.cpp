// Flow matching: (optionally OT-coupled) conditional paths for the loss, Euler/Heun ODE samplers.
#include "retrain/diffusion/flow_matching.hpp"

#include <fmt/format.h>

#include "retrain/core/require.hpp"
#include "retrain/diffusion/method_options.hpp"
#include "retrain/core/nvtx.hpp"
#include "retrain/diffusion/assignment.hpp"
#include "retrain/ops/combine.hpp"
#include "retrain/ops/philox_noise.hpp"

namespace retrain {

FlowMatchingMethod::FlowMatchingMethod(const FlowMatchingOptions& options) : options_(options) {
  check_ranges(cfm_option_table(), options, "flow matching");  // the method.cfm.* keys' ranges
  require(options.num_steps >= 1, "flow matching", "num_steps", options.num_steps, ">= 1");
}

torch::Tensor FlowMatchingMethod::keyed_loss(Denoiser& net, const torch::Tensor& x0, const torch::Tensor& labels,
                                             at::Generator& gen, const torch::Tensor& keys) const {
  // The method's x0 argument is the data; in flow-matching notation that is x1.
  const auto& x1 = x0;
  const auto n = x1.size(0);
  auto t = at::rand({n}, gen, torch::kFloat32).to(x1.device());
  auto noise = ops::philox_normal(keys, /*draw=*/0, x1.sizes(), x1.options());
  if (options_.coupling == FlowCoupling::minibatch_ot) {
    auto cost = torch::cdist(noise.flatten(1).to(torch::kFloat64), x1.flatten(1).to(torch::kFloat64)).square();
    const auto col = solve_assignment(cost);  // noise row i goes with data col[i]
    std::vector<std::int64_t> row(n);
    for (std::int64_t i = 0; i < n; ++i) row[col[i]] = i;
    noise = noise.index_select(0, torch::tensor(row, torch::kLong).to(x1.device()));
  }
  const double shrink = 1.0 - options_.sigma_min;
  auto x_t = ops::affine_mix(noise, 1.0 - shrink * t, x1, t);
  auto target = ops::affine_mix(x1, torch::ones_like(t), noise, torch::full_like(t, -shrink));
  return (evaluate(net, x_t, t, labels) - target).square().flatten(1).mean(1);
}

torch::Tensor FlowMatchingMethod::sample(Denoiser& net, std::vector<std::int64_t> shape, const torch::Tensor& labels,
                                         SampleNoise noise) const {
  torch::NoGradGuard no_grad;
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64).device(net.device());
  const auto n = shape.at(0);
  const auto steps = options_.num_steps;
  const double dt = 1.0 / static_cast<double>(steps);
  auto network = sampler_network(net, labels);
  auto velocity = [&](const torch::Tensor& x, double t) { return network({x, torch::full({n}, t, opts)}); };
  auto x = noise.randn(shape, opts);
  for (std::int64_t i = 0; i < steps; ++i) {
    const NvtxRange range("sampler step");
    const double t_cur = static_cast<double>(i) * dt, t_next = static_cast<double>(i + 1) / static_cast<double>(steps);
    const double h = t_next - t_cur;
    auto v_cur = velocity(x, t_cur);
    auto x_euler = ops::affine_mix(x, per_row(1.0, x), v_cur, per_row(h, x));
    x = options_.sampler == FlowSampler::heun
            ? ops::combine({{x, per_row(1.0, x)}, {v_cur, per_row(0.5 * h, x)}, {velocity(x_euler, t_next), per_row(0.5 * h, x)}})
            : x_euler;
  }
  return x.to(torch::kFloat32);
}

}  // namespace retrain
