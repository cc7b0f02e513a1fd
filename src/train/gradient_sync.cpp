// GradientSync: buckets, post-accumulation hooks on the parameters' AccumulateGrad nodes (the hooks
// PyTorch's c10d::Reducer uses) and in-order asynchronous all-reduces.
#include "retrain/train/gradient_sync.hpp"

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/utils/lambda_post_hook.h>
#include <torch/csrc/autograd/variable.h>

#include <algorithm>

#include "retrain/core/nvtx.hpp"

namespace retrain {

GradientSync::GradientSync(const std::vector<torch::Tensor>& parameters, World world, std::int64_t bucket_bytes)
    : world_(std::move(world)) {
  for (const auto& p : parameters)
    if (p.requires_grad()) parameters_.push_back(p);
  bucket_of_.resize(parameters_.size());
  final_.resize(parameters_.size());
  std::int64_t bytes = 0;
  for (std::size_t k = parameters_.size(); k-- > 0;) {
    const auto& p = parameters_[k];
    const bool full = bucket_bytes > 0 && bytes >= bucket_bytes;
    const bool other_dtype = !buckets_.empty() && parameters_[buckets_.back().members.front()].scalar_type() != p.scalar_type();
    if (buckets_.empty() || full || other_dtype) {
      buckets_.emplace_back();
      bytes = 0;
    }
    buckets_.back().members.push_back(k);
    bucket_of_[k] = buckets_.size() - 1;
    bytes += p.numel() * static_cast<std::int64_t>(p.element_size());
  }
  if (!world_.distributed() || bucket_bytes == 0) return;  // nothing to overlap
  for (std::size_t k = 0; k < parameters_.size(); ++k) {
    auto accumulator = torch::autograd::impl::grad_accumulator(parameters_[k]);
    const auto key = accumulator->add_post_hook(std::make_unique<torch::autograd::utils::LambdaPostHook>(
        [this, k](const torch::autograd::variable_list& outputs, const torch::autograd::variable_list&) {
          on_gradient(k);
          return outputs;
        }));
    hooks_.emplace_back(std::move(accumulator), key);
  }
}

GradientSync::~GradientSync() {
  for (auto& [accumulator, key] : hooks_) accumulator->del_post_hook(key);
}

void GradientSync::arm(const torch::Tensor& loss) {
  pending_.push_back(world_.start_sum({loss}));
  for (auto& bucket : buckets_) bucket.ready = 0;
  std::fill(final_.begin(), final_.end(), false);
  next_bucket_ = 0;
  armed_ = true;
}

void GradientSync::on_gradient(std::size_t parameter) {
  if (!armed_) return;  // an earlier micro-batch: its gradients are not final yet
  // As DDP's Reducer: a bucket may only start once each of its gradients is complete.
  TORCH_CHECK(!final_[parameter], "data parallelism: parameter ", parameter, " (of ", parameters_.size(),
              ") received its gradient twice in one backward pass; each parameter must be finished once per step");
  final_[parameter] = true;
  ++buckets_[bucket_of_[parameter]].ready;
  start_ready_buckets(false);
}

void GradientSync::start_ready_buckets(bool all) {
  while (next_bucket_ < buckets_.size() && (all || buckets_[next_bucket_].ready == buckets_[next_bucket_].members.size())) {
    const NvtxRange range("all-reduce start");
    std::vector<torch::Tensor> grads;
    for (const auto k : buckets_[next_bucket_].members) {
      auto& p = parameters_[k];
      if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);  // every rank sends the same layout
      grads.push_back(p.grad());
    }
    pending_.push_back(world_.start_sum(grads));
    ++next_bucket_;
  }
}

void GradientSync::finish() {
  const NvtxRange range("all-reduce wait");
  armed_ = false;
  start_ready_buckets(true);
  for (auto& sum : pending_) sum.finish();
  pending_.clear();
}

}  // namespace retrain
