// The training losses of EDM, DDPM and flow matching through retrain's kernel (the CPU loop that runs
// the CUDA kernel's math) and through the ATen expression: the same losses and the same gradients at
// every network parameter, none of them zero, so the op's autograd wrapper carries the gradient.
#include <gtest/gtest.h>

#include "retrain/core/rng.hpp"
#include "retrain/diffusion/ddpm.hpp"
#include "retrain/diffusion/edm.hpp"
#include "retrain/diffusion/flow_matching.hpp"
#include "retrain/ops/op_path.hpp"
#include "train/small_net.hpp"

namespace retrain {
namespace {

struct LossAndGrads {
  torch::Tensor loss;
  std::vector<torch::Tensor> grads;
};

LossAndGrads loss_and_grads(const Method& method, ops::OpPath path) {
  const ops::OpPathGuard guard(path);
  auto net = test::small_net(3);
  torch::manual_seed(11);
  const auto x0 = torch::randn({16, 2});
  const auto labels = torch::randint(0, 3, {16}, torch::kLong);
  auto gen = make_generator(5, 0, Stream::Fit);
  auto loss = method.loss(*net, x0, labels, gen);
  loss.sum().backward();
  LossAndGrads out{loss.detach(), {}};
  for (const auto& p : net->parameters()) out.grads.push_back(p.grad().clone());
  return out;
}

TEST(LossOpPath, KernelAndAtenGiveTheSameLossesAndGradients) {
  const std::vector<std::pair<const char*, std::shared_ptr<Method>>> methods = {
      {"edm", std::make_shared<EdmMethod>()},
      {"ddpm", std::make_shared<DdpmMethod>()},
      {"flow matching", std::make_shared<FlowMatchingMethod>()},
  };
  for (const auto& [name, method] : methods) {
    const auto kernel = loss_and_grads(*method, ops::OpPath::kernel);
    const auto aten = loss_and_grads(*method, ops::OpPath::aten);
    EXPECT_TRUE(torch::allclose(kernel.loss, aten.loss, 1e-5, 1e-6)) << name;
    ASSERT_EQ(kernel.grads.size(), aten.grads.size());
    for (std::size_t i = 0; i < kernel.grads.size(); ++i) {
      EXPECT_GT(kernel.grads[i].abs().max().item<double>(), 0) << name << ": parameter " << i << " got no gradient";
      EXPECT_TRUE(torch::allclose(kernel.grads[i], aten.grads[i], 1e-4, 1e-6)) << name << ": parameter " << i;
    }
  }
}

}  // namespace
}  // namespace retrain
