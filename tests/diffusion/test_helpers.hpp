// Helpers for the diffusion and training suites: a single-threaded fixture and a Gaussian moment check.
#pragma once
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <vector>

namespace retrain::test {

// These suites use tiny tensors: intra-op threads gain nothing, and on a busy machine OpenMP's
// spinning threads make each op up to ~50x slower.
class SingleThreaded : public ::testing::Test {
 protected:
  void SetUp() override { torch::set_num_threads(1); }
};

// Checks that samples [N, D] have per-dimension mean `mean` and standard deviation `std`.
inline void expect_gaussian(const torch::Tensor& samples, const std::vector<double>& mean, double std,
                            double mean_tol, double std_rel_tol) {
  ASSERT_EQ(samples.dim(), 2);
  ASSERT_EQ(samples.size(1), static_cast<std::int64_t>(mean.size()));
  auto s = samples.to(torch::kCPU, torch::kFloat64);
  ASSERT_TRUE(s.isfinite().all().item<bool>()) << "samples hold NaN/Inf";
  auto m = s.mean(0), sd = s.std(0);
  for (std::size_t d = 0; d < mean.size(); ++d) {
    const auto i = static_cast<std::int64_t>(d);
    EXPECT_NEAR(m[i].item<double>(), mean[d], mean_tol) << "mean of dimension " << d;
    EXPECT_NEAR(sd[i].item<double>() / std, 1.0, std_rel_tol) << "std of dimension " << d << " = " << sd[i].item<double>();
  }
}

}  // namespace retrain::test
