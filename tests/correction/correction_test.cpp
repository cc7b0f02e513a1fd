// Corrections: identity, oracle mixture probabilities, nearest-mode moves and its strength-0 identity.
#include <gtest/gtest.h>

#include "retrain/core/errors.hpp"
#include "retrain/correction/correction.hpp"
#include "retrain/data/data_options.hpp"
#include "retrain/data/real_data.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/correction/nearest_mode.hpp"
#include "retrain/correction/oracle_mixture.hpp"
#include "retrain/data/gaussian_source.hpp"

namespace retrain {
namespace {

TEST(Correction, OracleMixtureReplacesTheExpectedShare) {
  GaussianSource truth(torch::full({1}, 100.0, torch::kFloat64), torch::eye(1, torch::kFloat64));
  OracleMixtureCorrection c(truth, 3.0);  // replace with probability 3/4
  auto x = torch::zeros({2, 20000, 1}, torch::kFloat64);
  auto gen = make_generator(0, 1, Stream::Correction);
  auto y = c.apply(x, torch::Tensor(), gen);
  const double replaced = (y.abs() > 50).to(torch::kFloat64).mean().item<double>();
  EXPECT_NEAR(replaced, 0.75, 0.01);
  OracleMixtureCorrection none(truth, 0.0);
  EXPECT_TRUE(torch::equal(none.apply(x, torch::Tensor(), gen), x));
}

TEST(Correction, NearestModeStrengthZeroIsTheIdentityAndOneGivesCentres) {
  auto centers = torch::tensor({0.0, 0.0, 10.0, 10.0}, torch::kFloat64).reshape({2, 2});
  auto x = torch::tensor({1.0, -1.0, 9.0, 12.0, 4.0, 4.0}, torch::kFloat64).reshape({1, 3, 2});
  auto gen = make_generator(0, 1, Stream::Correction);
  EXPECT_TRUE(torch::equal(NearestModeCorrection(centers, 0.0).apply(x, torch::Tensor(), gen), x));
  auto full = NearestModeCorrection(centers, 1.0).apply(x, torch::Tensor(), gen);
  EXPECT_TRUE(torch::equal(full, torch::tensor({0.0, 0.0, 10.0, 10.0, 0.0, 0.0}, torch::kFloat64).reshape({1, 3, 2})));
  auto half = NearestModeCorrection(centers, 0.5).apply(x, torch::Tensor(), gen);
  EXPECT_TRUE(torch::allclose(half, torch::tensor({0.5, -0.5, 9.5, 11.0, 2.0, 2.0}, torch::kFloat64).reshape({1, 3, 2})));
}

TEST(Correction, NearestModeNeedsASourceWithModes) {
  DataOptions data;
  data.source = DataSource::gaussian;
  data.dim = 2;
  auto real = make_real_data(data);
  CorrectionOptions correction;
  correction.type = CorrectionType::nearest_mode;
  EXPECT_THROW(make_correction(correction, *real, {0, data.n}), UsageError);
}

}  // namespace
}  // namespace retrain
