// Checks every denoiser network's tests share: gradients reach every parameter, and a replica computes
// the same function.
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "retrain/models/denoiser.hpp"

namespace retrain::test {

// After a backward pass: every parameter has a finite gradient.
inline void expect_finite_gradients(const torch::nn::Module& net) {
  for (const auto& p : net.named_parameters()) {
    ASSERT_TRUE(p.value().grad().defined()) << p.key();
    EXPECT_TRUE(torch::isfinite(p.value().grad()).all().item<bool>()) << p.key();
  }
}

// net.replicate() in eval mode gives exactly net's output on (x, noise_level).
inline void expect_replica_matches(Denoiser& net, const torch::Tensor& x, const torch::Tensor& noise_level) {
  net.eval();
  auto copy = net.replicate();
  copy->eval();
  EXPECT_TRUE(torch::equal(net.forward(x, noise_level, {}), copy->forward(x, noise_level, {})));
}

}  // namespace retrain::test
