// FusedAdam: the step counters are float32 scalars on the parameters' device, as the fused kernels
// expect; they are incremented with one foreach add before the kernel, like torch.optim.Adam(fused=True).
#include "retrain/core/errors.hpp"
#include "retrain/optim/fused_adam.hpp"

#include <ATen/ops/_fused_adam.h>
#include <ATen/ops/_fused_adamw.h>
#include <fmt/format.h>

namespace retrain {

FusedAdam::FusedAdam(std::vector<std::pair<std::string, torch::Tensor>> named_parameters, FusedAdamOptions options)
    : options_(options) {
  for (auto& [name, p] : named_parameters) {
    names_.push_back(name);
    params_.push_back(p);
    exp_avg_.push_back(torch::zeros_like(p, torch::MemoryFormat::Preserve));
    exp_avg_sq_.push_back(torch::zeros_like(p, torch::MemoryFormat::Preserve));
    steps_.push_back(torch::zeros({}, p.options().dtype(torch::kFloat32)));
  }
}

void FusedAdam::step(double lr) {
  std::vector<torch::Tensor> params, grads, m, v, steps;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    if (!params_[i].grad().defined()) continue;
    params.push_back(params_[i]);
    grads.push_back(params_[i].grad());
    m.push_back(exp_avg_[i]);
    v.push_back(exp_avg_sq_[i]);
    steps.push_back(steps_[i]);
  }
  if (params.empty()) return;
  torch::NoGradGuard no_grad;
  at::_foreach_add_(steps, 1);
  const auto& o = options_;
  if (o.decoupled_weight_decay)
    at::_fused_adamw_(params, grads, m, v, {}, steps, lr, o.beta1, o.beta2, o.weight_decay, o.eps, false, false);
  else
    at::_fused_adam_(params, grads, m, v, {}, steps, lr, o.beta1, o.beta2, o.weight_decay, o.eps, false, false);
}

void FusedAdam::zero_grad() {
  for (auto& p : params_) p.mutable_grad().reset();
}

TensorMap FusedAdam::state() const {
  TensorMap out;
  for (std::size_t i = 0; i < names_.size(); ++i) {
    out["exp_avg." + names_[i]] = exp_avg_[i];
    out["exp_avg_sq." + names_[i]] = exp_avg_sq_[i];
    out["step." + names_[i]] = steps_[i];
  }
  return out;
}

void FusedAdam::load_state(const TensorMap& state, const std::filesystem::path& source) {
  const auto restore = [&](const std::string& key, torch::Tensor& into) {
    auto t = require_tensor(state, key, source);
    if (t.sizes() != into.sizes())
      throw CorruptFile(fmt::format("'{}': optimizer state '{}' has shape {}, the network needs {}",
                                           source.string(), key, c10::str(t.sizes()), c10::str(into.sizes())));
    if (t.scalar_type() != into.scalar_type())
      throw CorruptFile(fmt::format("'{}': optimizer state '{}' is {}, expected {}", source.string(), key,
                                           c10::toString(t.scalar_type()), c10::toString(into.scalar_type())));
    torch::NoGradGuard no_grad;
    into.copy_(t);
  };
  for (std::size_t i = 0; i < names_.size(); ++i) {
    restore("exp_avg." + names_[i], exp_avg_[i]);
    restore("exp_avg_sq." + names_[i], exp_avg_sq_[i]);
    restore("step." + names_[i], steps_[i]);
  }
}

}  // namespace retrain
