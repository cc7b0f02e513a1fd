// A function of fixed-shape tensors that, on a GPU, runs as one replayed CUDA Graph: what the samplers
// use for their network calls (one graph launch per step instead of the network's few hundred kernel
// launches, which dominate small batches).
#pragma once
#include <torch/types.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace retrain::ops {

class GraphedCall {
 public:
  using Fn = std::function<torch::Tensor(const std::vector<torch::Tensor>&)>;

  // `enabled` false, a build without CUDA, or inputs that are not CUDA tensors: every call runs `fn`.
  // Otherwise the first call with a new signature (which inputs are defined, their sizes, dtypes and
  // devices) runs `fn` eagerly (so cuDNN picks its algorithms and lazy set-up happens outside the
  // graph) and then captures one more call of it on a side stream, with the autocast cache off; each
  // later call with that signature copies its inputs into the captured ones, replays the graph on the
  // current stream and returns a copy of the graph's output (valid across later calls). `fn` must then
  // be a pure function of its inputs and of tensors that do not change while this object lives (the
  // network's weights), without host synchronisation or random draws. When capture fails, a warning
  // names the error and every later call runs `fn` eagerly.
  GraphedCall(Fn fn, bool enabled);
  ~GraphedCall();
  GraphedCall(GraphedCall&&) noexcept;
  GraphedCall& operator=(GraphedCall&&) noexcept;

  torch::Tensor operator()(const std::vector<torch::Tensor>& inputs);

  // Calls answered by a replay so far (tests and benchmarks read it).
  std::int64_t replays() const { return replays_; }

 private:
  struct Captured;
  void capture(const std::vector<torch::Tensor>& inputs, std::string signature);

  Fn fn_;
  bool enabled_;
  std::unique_ptr<Captured> captured_;
  std::int64_t replays_ = 0;
};

}  // namespace retrain::ops
