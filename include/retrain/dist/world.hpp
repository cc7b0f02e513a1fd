// The processes that train one run together, joined by a c10d process group (Gloo for CPU tensors,
// NCCL for CUDA ones), and the few collectives the trainer uses. A default World is one process:
// every collective is then the identity and nothing is started. Collectives wait at most the
// timeout given to join(); a rank that died or hangs makes the others throw DistError naming the
// rank that saw it, the operation and the timeout, never hang.
#pragma once
#include <torch/types.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "retrain/dist/placement.hpp"

namespace retrain {

class DistError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class World {
 public:
  World();  // one process

  // Joins the process group `placement` describes (placement.distributed() must hold) on `device`'s
  // backend; blocks until every rank has joined, at most `timeout`.
  static World join(const Placement& placement, torch::Device device, std::chrono::milliseconds timeout);

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool root() const { return rank_ == 0; }
  bool distributed() const { return size_ > 1; }

  // In place: every rank's tensors become the elementwise sums over the ranks. The tensors are
  // flattened into one buffer per dtype, so shapes may differ (one collective per dtype).
  void sum(const std::vector<torch::Tensor>& tensors) const;
  // In place: every rank's tensors become rank 0's.
  void broadcast(const std::vector<torch::Tensor>& tensors) const;
  void barrier() const;

 private:
  struct Group;
  std::shared_ptr<Group> group_;
  int rank_ = 0, size_ = 1;
};

}  // namespace retrain
