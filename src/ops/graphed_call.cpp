// GraphedCall: signature check, eager first call, capture on a side stream, replay.
#include "retrain/ops/graphed_call.hpp"

#include <ATen/autocast_mode.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#ifdef RETRAIN_WITH_CUDA
#include <ATen/cuda/CUDAEvent.h>
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#endif

namespace retrain::ops {

struct GraphedCall::Captured {
#ifdef RETRAIN_WITH_CUDA
  at::cuda::CUDAGraph graph;
#endif
  std::string signature;
  std::vector<torch::Tensor> inputs;  // the captured call's inputs: replays read them
  torch::Tensor output;               // the captured call's output: replays write it
};

namespace {

std::string signature_of(const std::vector<torch::Tensor>& inputs) {
  std::string s;
  for (const auto& t : inputs)
    s += t.defined() ? fmt::format("{}:{}:{};", c10::str(t.sizes()), c10::toString(t.scalar_type()), t.device().str())
                     : std::string("undefined;");
  return s;
}

// Sets the autocast cache for a scope: casts made during capture must be captured, not reused.
class AutocastCacheGuard {
 public:
  explicit AutocastCacheGuard(bool enabled) : previous_(at::autocast::is_autocast_cache_enabled()) {
    at::autocast::set_autocast_cache_enabled(enabled);
  }
  ~AutocastCacheGuard() { at::autocast::set_autocast_cache_enabled(previous_); }
  AutocastCacheGuard(const AutocastCacheGuard&) = delete;
  AutocastCacheGuard& operator=(const AutocastCacheGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace

GraphedCall::GraphedCall(Fn fn, bool enabled) : fn_(std::move(fn)), enabled_(enabled) {}
GraphedCall::~GraphedCall() = default;
GraphedCall::GraphedCall(GraphedCall&&) noexcept = default;
GraphedCall& GraphedCall::operator=(GraphedCall&&) noexcept = default;

torch::Tensor GraphedCall::operator()(const std::vector<torch::Tensor>& inputs) {
  if (!enabled_ || inputs.empty() || !inputs.front().defined() || !inputs.front().is_cuda()) return fn_(inputs);
  auto signature = signature_of(inputs);
  if (captured_ && captured_->signature == signature) {
#ifdef RETRAIN_WITH_CUDA
    const c10::cuda::CUDAGuard on_device(inputs.front().device());
    for (std::size_t k = 0; k < inputs.size(); ++k)
      if (inputs[k].defined()) captured_->inputs[k].copy_(inputs[k]);
    captured_->graph.replay();
    ++replays_;
    return captured_->output.clone();
#endif
  }
  auto out = fn_(inputs);
  capture(inputs, std::move(signature));
  return out;
}

void GraphedCall::capture(const std::vector<torch::Tensor>& inputs, std::string signature) {
  captured_.reset();  // a new signature (a smaller last batch): the old graph's memory goes first
#ifdef RETRAIN_WITH_CUDA
  auto next = std::make_unique<Captured>();
  next->signature = std::move(signature);
  for (const auto& t : inputs) next->inputs.push_back(t.defined() ? t.clone() : t);
  // The inputs' device, whatever the current one is: each rank of a run on several GPUs captures on its own.
  const auto device = inputs.front().device().index();
  const c10::cuda::CUDAGuard on_device(inputs.front().device());
  const auto current = c10::cuda::getCurrentCUDAStream(device);
  const auto side = c10::cuda::getStreamFromPool(false, device);
  at::cuda::CUDAEvent inputs_ready;
  inputs_ready.record(current);
  inputs_ready.block(side);
  try {
    const c10::cuda::CUDAStreamGuard on_side(side);
    const AutocastCacheGuard no_cache(false);
    next->graph.capture_begin();
    try {
      next->output = fn_(next->inputs);
    } catch (...) {
      try {
        next->graph.capture_end();
      } catch (const std::exception&) {  // the capture is invalid anyway; the first error is the one to report
      }
      throw;
    }
    next->graph.capture_end();
  } catch (const std::exception& e) {
    std::string reason = e.what();
    if (const auto newline = reason.find('\n'); newline != std::string::npos) reason.resize(newline);
    spdlog::warn("CUDA graph capture of the sampler's network call failed; running it without graphs: {}", reason);
    enabled_ = false;
    return;
  }
  at::cuda::CUDAEvent captured;
  captured.record(side);
  captured.block(current);
  captured_ = std::move(next);
#else
  (void)inputs;
  (void)signature;
  enabled_ = false;  // no CUDA in this build: CUDA tensors cannot occur; stay eager regardless
#endif
}

}  // namespace retrain::ops
