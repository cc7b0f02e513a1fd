// GraphedCall: on the CPU (or switched off) every call runs the function; on a GPU the first call of a
// signature runs it and captures it, later calls replay the graph with their own inputs and return
// outputs that stay valid, and a new signature is captured anew.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include "retrain/ops/graphed_call.hpp"

namespace retrain::ops {
namespace {

struct Counted {
  int calls = 0;
  torch::nn::Conv2d conv{torch::nn::Conv2dOptions(2, 3, 3).padding(1)};
  GraphedCall::Fn fn() {
    return [this](const std::vector<torch::Tensor>& in) {
      ++calls;
      return torch::silu(conv->forward(in.at(0)) * in.at(1).view({-1, 1, 1, 1}));
    };
  }
};

TEST(GraphedCall, OnTheCpuOrSwitchedOffEveryCallRunsTheFunction) {
  for (const bool enabled : {true, false}) {
    Counted f;
    GraphedCall call(f.fn(), enabled);
    torch::NoGradGuard no_grad;
    for (int k = 0; k < 4; ++k) {
      const auto x = torch::randn({2, 2, 5, 5}), s = torch::rand({2});
      EXPECT_TRUE(torch::equal(call({x, s}), f.fn()({x, s})));
    }
    EXPECT_EQ(f.calls, 8);
    EXPECT_EQ(call.replays(), 0);
  }
}

TEST(GraphedCall, CudaReplaysEqualEagerCallsAndStayValid) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "needs a GPU";
  Counted f;
  f.conv->to(torch::kCUDA);
  GraphedCall call(f.fn(), true);
  torch::NoGradGuard no_grad;
  const auto opts = torch::TensorOptions().device(torch::kCUDA);
  std::vector<torch::Tensor> outputs, expected;
  for (int k = 0; k < 5; ++k) {
    const auto x = torch::randn({4, 2, 6, 6}, opts), s = torch::rand({4}, opts);
    outputs.push_back(call({x, s}));
    expected.push_back(f.fn()({x, s}));
  }
  EXPECT_EQ(call.replays(), 4);
  EXPECT_EQ(f.calls, 2 + 5);  // the first call, the captured one, and the 5 eager references
  for (int k = 0; k < 5; ++k) EXPECT_TRUE(torch::allclose(outputs[k], expected[k], 1e-6, 1e-6)) << "call " << k;
  const auto smaller = torch::randn({3, 2, 6, 6}, opts);  // a new signature: run, then captured anew
  EXPECT_TRUE(torch::allclose(call({smaller, torch::ones({3}, opts)}), f.fn()({smaller, torch::ones({3}, opts)}), 1e-6, 1e-6));
  EXPECT_TRUE(torch::allclose(call({smaller, torch::ones({3}, opts)}), f.fn()({smaller, torch::ones({3}, opts)}), 1e-6, 1e-6));
  EXPECT_EQ(call.replays(), 5);
}

}  // namespace
}  // namespace retrain::ops
