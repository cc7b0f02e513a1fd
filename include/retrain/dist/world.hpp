// The processes that train one run together, joined by a c10d process group (Gloo for CPU tensors,
// NCCL for CUDA ones), and the few collectives the trainer uses. A default World is one process:
// every collective is then the identity and nothing is started. Collectives wait at most the
// timeout given to join(); a rank that died or hangs makes the others throw DistError naming the
// rank that saw it, the operation and the timeout, never hang.
#pragma once
#include <torch/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "retrain/core/errors.hpp"
#include "retrain/dist/placement.hpp"

namespace retrain {

// A collective failed or timed out (another rank died or hangs): a RuntimeFailure (exit 1).
class DistError : public RuntimeFailure {
 public:
  using RuntimeFailure::RuntimeFailure;
};

// A sum started by World::start_sum that runs while the caller goes on working.
class PendingSum {
 public:
  PendingSum() = default;  // nothing pending
  explicit PendingSum(std::function<void()> finish) : finish_(std::move(finish)) {}
  // Waits for the sum (at most the World's timeout; DistError as World::sum) and writes it into the
  // tensors it was started on. Later calls do nothing.
  void finish() {
    if (!finish_) return;
    const auto wait_and_write = std::move(finish_);
    finish_ = nullptr;
    wait_and_write();
  }

 private:
  std::function<void()> finish_;
};

class World {
 public:
  World();  // one process

  // Joins the process group `placement` describes on `device`'s backend (a CUDA device becomes this
  // rank's GPU, cuda_device_index(placement, visible GPUs), made the current device and bound to
  // NCCL); blocks until every rank has joined, at most `timeout`. A placement of one process gives the
  // one-process World.
  static World join(const Placement& placement, torch::Device device, std::chrono::milliseconds timeout);

  int rank() const { return rank_; }
  int size() const { return size_; }
  int local_rank() const { return local_rank_; }  // the GPU of this rank on its node
  bool root() const { return rank_ == 0; }
  bool distributed() const { return size_ > 1; }

  // The collectives take tensors on the group's device: the CPU for Gloo, this rank's GPU for NCCL.
  torch::Device device() const { return device_; }
  // In place: every rank's tensors become the elementwise sums over the ranks. The tensors are
  // flattened into one buffer per dtype, so shapes may differ (one collective per dtype).
  void sum(const std::vector<torch::Tensor>& tensors) const;
  // sum() without waiting: the tensors hold the sums after finish(), and must not be written before.
  // Every rank must start its collectives in the same order.
  PendingSum start_sum(const std::vector<torch::Tensor>& tensors) const;
  // In place: every rank's tensors become rank 0's.
  void broadcast(const std::vector<torch::Tensor>& tensors) const;
  void barrier() const;
  // Whether `flag` holds on any rank (every rank gets the same answer).
  bool any(bool flag) const;
  // Rank 0's `value`, on every rank.
  std::int64_t from_root(std::int64_t value) const;
  // Runs `work` on rank 0, then (after a barrier) on the other ranks: for work that tidies or caches
  // files rank 0 should touch first and the others then only read.
  void root_first(const std::function<void()>& work) const;

 private:
  struct Group;
  std::shared_ptr<Group> group_;
  int rank_ = 0, size_ = 1, local_rank_ = 0;
  torch::Device device_ = torch::kCPU;
};

// Whether any rank has received a stop signal (core/signals.hpp); the same answer on every rank.
bool any_rank_stopped(const World& world);
// How often a loop of many short steps asks any_rank_stopped: one process at every step (a flag
// read), several at every kStopCheckSteps-th step, the same steps on every rank, since each ask is an
// all-reduce and, on GPUs, a host sync (a stop then waits at most kStopCheckSteps - 1 steps).
inline constexpr std::int64_t kStopCheckSteps = 16;
bool stop_check_due(const World& world, std::int64_t step);
// Throws Interrupted naming `where` and the signal, or, on a rank that got none, that another rank did.
[[noreturn]] void throw_stopped(const std::string& where);
// Stops every rank at the same point: any_rank_stopped, then throw_stopped.
void throw_if_any_rank_stopped(const World& world, const std::string& where);

}  // namespace retrain
