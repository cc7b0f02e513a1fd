// FusedAdam against LibTorch's reference Adam/AdamW: the same parameters after several steps, and a
// state round trip that continues identically.
#include <gtest/gtest.h>
#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>

#include "retrain/optim/fused_adam.hpp"

namespace retrain {
namespace {

std::vector<torch::Tensor> fresh_params() {
  torch::manual_seed(3);
  return {torch::randn({4, 3}).requires_grad_(), torch::randn({3}).requires_grad_()};
}

void set_grads(std::vector<torch::Tensor>& params, int step) {
  torch::manual_seed(100 + step);
  for (auto& p : params) p.mutable_grad() = torch::randn_like(p);
}

void check_against_reference(bool decoupled) {
  auto ref = fresh_params(), ours = fresh_params();
  std::unique_ptr<torch::optim::Optimizer> reference;
  if (decoupled)
    reference = std::make_unique<torch::optim::AdamW>(ref, torch::optim::AdamWOptions(0.01).weight_decay(0.1));
  else
    reference = std::make_unique<torch::optim::Adam>(ref, torch::optim::AdamOptions(0.01).weight_decay(0.1));
  FusedAdam fused({{"a", ours[0]}, {"b", ours[1]}}, FusedAdamOptions{decoupled, 0.9, 0.999, 1e-8, 0.1});
  for (int step = 0; step < 5; ++step) {
    set_grads(ref, step);
    set_grads(ours, step);
    reference->step();
    fused.step(0.01);
  }
  for (std::size_t i = 0; i < ref.size(); ++i)
    EXPECT_TRUE(torch::allclose(ours[i], ref[i], 1e-5, 1e-6)) << (decoupled ? "adamw " : "adam ") << i;
}

TEST(FusedAdam, MatchesLibTorchAdam) { check_against_reference(false); }
TEST(FusedAdam, MatchesLibTorchAdamW) { check_against_reference(true); }

TEST(FusedAdam, StateRoundTripContinuesIdentically) {
  auto a = fresh_params(), b = fresh_params();
  FusedAdam fa({{"a", a[0]}, {"b", a[1]}}, {});
  for (int step = 0; step < 3; ++step) {
    set_grads(a, step);
    fa.step(0.05);
  }
  {
    torch::NoGradGuard no_grad;
    b[0].copy_(a[0]);
    b[1].copy_(a[1]);
  }
  FusedAdam fb({{"a", b[0]}, {"b", b[1]}}, {});
  fb.load_state(fa.state(), "memory");
  set_grads(a, 9);
  set_grads(b, 9);
  fa.step(0.05);
  fb.step(0.05);
  EXPECT_TRUE(torch::equal(a[0], b[0]));
  EXPECT_TRUE(torch::equal(a[1], b[1]));
  EXPECT_EQ(fa.state().at("step.a").item<float>(), 4.0f);
  TensorMap bad = fa.state();
  bad["exp_avg.a"] = torch::zeros({2});
  EXPECT_THROW(fb.load_state(bad, "bad.safetensors"), std::runtime_error);
}

}  // namespace
}  // namespace retrain
