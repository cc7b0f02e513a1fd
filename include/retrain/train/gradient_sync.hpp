// Sums a network's gradients over the ranks of a World while backward runs, in buckets (as PyTorch's
// DistributedDataParallel does), so the all-reduce of the last layers' gradients overlaps the backward
// pass of the first ones.
#pragma once
#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "retrain/dist/world.hpp"

namespace torch::autograd {
struct Node;
}

namespace retrain {

class GradientSync {
 public:
  // Groups the parameters that require gradients into buckets of about `bucket_bytes` of one dtype, in
  // the reverse of their order (roughly the order backward finishes them), and hooks their gradient
  // accumulation. bucket_bytes = 0: one bucket, summed after backward (no overlap).
  GradientSync(const std::vector<torch::Tensor>& parameters, World world, std::int64_t bucket_bytes);
  ~GradientSync();  // removes the hooks
  GradientSync(const GradientSync&) = delete;
  GradientSync& operator=(const GradientSync&) = delete;

  // Before the backward whose gradients are final (the step's last micro-batch): starts summing
  // `loss` and lets the hooks start each bucket's sum once its last gradient is accumulated. Buckets
  // start in one fixed order on every rank (a ready bucket waits for those before it), so the ranks'
  // collectives always match.
  void arm(const torch::Tensor& loss);
  // After that backward: starts the buckets no hook started (a parameter without a gradient sends
  // zeros, and gets them summed), waits for every sum and writes the sums into the gradients and the
  // loss. DistError when a rank died or hangs.
  void finish();

  std::size_t buckets() const { return buckets_.size(); }
  std::size_t started() const { return next_bucket_; }  // buckets whose sum has started in this step

 private:
  struct Bucket {
    std::vector<std::size_t> members;  // indices into parameters_
    std::size_t ready = 0;             // members whose gradient is final in this step
  };
  void on_gradient(std::size_t parameter);
  void start_ready_buckets(bool all);

  std::vector<torch::Tensor> parameters_;
  std::vector<std::size_t> bucket_of_;  // per parameter
  std::vector<bool> final_;             // per parameter: its hook has fired in this step
  std::vector<Bucket> buckets_;
  World world_;
  std::vector<std::pair<std::shared_ptr<torch::autograd::Node>, std::uintptr_t>> hooks_;  // accumulator, key
  std::vector<PendingSum> pending_;
  std::size_t next_bucket_ = 0;  // the first bucket not started
  bool armed_ = false;
};

}  // namespace retrain
