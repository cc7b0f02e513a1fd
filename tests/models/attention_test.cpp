// channel_attention: the 4-D SDPA call equals the attention formula and the earlier 3-D call on the
// CPU (values and gradients), and on CUDA SDPA picks a fused kernel for its inputs, not the math one.
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include <ATen/ops/_fused_sdp_choice.h>
#include <ATen/ops/scaled_dot_product_attention.h>

#include "retrain/models/attention.hpp"

namespace retrain {
namespace {

// softmax_k(q . k / sqrt(C)) applied to v, written out: q, k, v [N, C, L].
torch::Tensor attention_formula(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v) {
  const auto weights = torch::softmax(torch::einsum("ncq,nck->nqk", {q, k}) / std::sqrt(double(q.size(1))), -1);
  return torch::einsum("nqk,nck->ncq", {weights, v});
}

TEST(ChannelAttention, FourDimensionalSdpaEqualsTheFormulaAndTheThreeDimensionalCall) {
  torch::manual_seed(4);
  for (const auto& shape : {std::vector<std::int64_t>{6, 16, 64}, std::vector<std::int64_t>{2, 64, 9}}) {
    auto q = torch::randn(shape, torch::kFloat64), k = torch::randn(shape, torch::kFloat64),
         v = torch::randn(shape, torch::kFloat64);
    const auto out = channel_attention(q, k, v);
    ASSERT_EQ(out.sizes(), q.sizes());
    EXPECT_TRUE(torch::allclose(out, attention_formula(q, k, v), 1e-10, 1e-12));
    const auto three_d =
        at::scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)).transpose(1, 2);
    EXPECT_TRUE(torch::allclose(out, three_d, 1e-12, 1e-12));
    // Gradients through the 4-D layout equal those of the formula.
    std::vector<torch::Tensor> a{q.clone().requires_grad_(), k.clone().requires_grad_(), v.clone().requires_grad_()};
    std::vector<torch::Tensor> b{q.clone().requires_grad_(), k.clone().requires_grad_(), v.clone().requires_grad_()};
    const auto w = torch::randn(shape, torch::kFloat64);
    (w * channel_attention(a[0], a[1], a[2])).sum().backward();
    (w * attention_formula(b[0], b[1], b[2])).sum().backward();
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(torch::allclose(a[i].grad(), b[i].grad(), 1e-10, 1e-12)) << "input " << i;
  }
}

TEST(ChannelAttention, RefusesInputsThatAreNotChannelsByPositions) {
  const auto x = torch::randn({2, 1, 4, 8});
  EXPECT_THROW(channel_attention(x, x, x), c10::Error);
}

// at::_fused_sdp_choice's answer for the U-Nets' attention inputs (SongUNet at CIFAR-10's 16x16
// attention resolution: 256 channels, 256 positions): 0 would be the math fallback (sdp::SDPBackend::math).
TEST(ChannelAttention, CudaPicksAFusedKernel) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "needs a GPU";
  for (const auto dtype : {torch::kFloat32, torch::kBFloat16}) {
    const auto q = torch::randn({8, 256, 256}, torch::TensorOptions().dtype(dtype).device(torch::kCUDA));
    const auto four_d = sdpa_layout(q);
    const auto choice = at::_fused_sdp_choice(four_d, four_d, four_d);
    EXPECT_NE(choice, 0) << "SDPA falls back to the math kernel for " << dtype << " [N, 1, L, C] inputs";
    const auto out = channel_attention(q, q, q);
    EXPECT_TRUE(torch::allclose(out.to(torch::kFloat64).cpu(),
                                attention_formula(q.to(torch::kFloat64), q.to(torch::kFloat64), q.to(torch::kFloat64)).cpu(),
                                dtype == torch::kBFloat16 ? 3e-2 : 1e-3, dtype == torch::kBFloat16 ? 3e-2 : 1e-3))
        << dtype;
  }
}

}  // namespace
}  // namespace retrain
