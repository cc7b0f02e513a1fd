// The Gaussian learner: eq. (3)-(4) of paper 1, sampling, closed-form W2, exact state round trip.
#include <gtest/gtest.h>

#include "retrain/core/rng.hpp"
#include "retrain/learners/gaussian_learner.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

torch::Tensor f64(std::vector<double> v, std::vector<std::int64_t> shape) {
  return torch::tensor(v, torch::kFloat64).reshape(shape);
}

TEST(GaussianLearner, FitIsSampleMeanAndUnbiasedCovariance) {
  // Two replicas of three 2-D points, fitted by hand.
  auto data = f64({0, 0, 2, 0, 1, 3, /*replica 1*/ 1, 1, 1, 1, 1, 1}, {2, 3, 2});
  auto [mu, cov] = GaussianLearner::fit_moments(data);
  EXPECT_TRUE(torch::allclose(mu[0], f64({1, 1}, {2})));
  // centred: (-1,-1), (1,-1), (0,2); sum of outer products = [[2, 0], [0, 6]]; / (3 - 1)
  EXPECT_TRUE(torch::allclose(cov[0], f64({1, 0, 0, 3}, {2, 2})));
  EXPECT_TRUE(torch::allclose(cov[1], torch::zeros({2, 2}, torch::kFloat64)));
}

TEST(GaussianLearner, ScalarStdIsRootMeanVariance) {
  auto cov = f64({4, 1, 1, 16}, {1, 2, 2});
  EXPECT_NEAR(GaussianLearner::scalar_std(cov).item<double>(), std::sqrt(10.0), 1e-12);
}

TEST(GaussianLearner, W2MatchesTheOneDimensionalFormulaAndIsZeroAtTheTruth) {
  // 1-D: W2^2 = (m1 - m2)^2 + (s1 - s2)^2.
  auto w = GaussianLearner::w2_to(f64({1}, {1, 1}), f64({4}, {1, 1, 1}), f64({0}, {1}), f64({1}, {1, 1}));
  EXPECT_NEAR(w.item<double>(), std::sqrt(1.0 + 1.0), 1e-10);
  auto s = f64({2, 0.3, 0.3, 1}, {2, 2});
  EXPECT_NEAR(GaussianLearner::w2_to(f64({1, 2}, {1, 2}), s.unsqueeze(0), f64({1, 2}, {2}), s).item<double>(), 0, 1e-6);
}

TEST(GaussianLearner, SqrtmSquaresBackAndToleratesSingularMatrices) {
  auto a = f64({2, 0.5, 0.5, 1}, {2, 2});
  auto r = sqrtm_psd(a);
  EXPECT_TRUE(torch::allclose(r.matmul(r), a, 1e-10, 1e-10));
  auto singular = f64({1, 1, 1, 1}, {2, 2});
  auto rs = sqrtm_psd(singular);
  EXPECT_FALSE(rs.isnan().any().item<bool>());
  EXPECT_TRUE(torch::allclose(rs.matmul(rs), singular, 1e-8, 1e-8));
}

TEST(GaussianLearner, SamplesHaveTheFittedMoments) {
  GaussianSource truth(f64({0, 0}, {2}), torch::eye(2, torch::kFloat64));
  GaussianLearner learner(truth, 1, torch::kCPU);
  auto gen = make_generator(1, 0, Stream::Fit);
  learner.fit({f64({1, 0, 3, 4, -1, 2, 1, -2}, {1, 4, 2}), {}}, FitPlan{}, gen);
  auto sample_gen = make_generator(1, 0, Stream::Sample);
  auto x = learner.sample(200000, sample_gen).x;
  auto [mu, cov] = GaussianLearner::fit_moments(x);
  EXPECT_TRUE(torch::allclose(mu, learner.mean(), 0, 0.03)) << mu << learner.mean();
  EXPECT_TRUE(torch::allclose(cov, learner.cov(), 0.02, 0.05)) << cov << learner.cov();
}

TEST(GaussianLearner, PerSampleSeedsGiveTheSameSampleInAnyBatch) {
  GaussianSource truth(f64({0, 0}, {2}), torch::eye(2, torch::kFloat64));
  GaussianLearner learner(truth, 3, torch::kCPU);
  auto gen = make_generator(1, 0, Stream::Fit);
  learner.fit({truth.draw(3, 20, gen), {}}, FitPlan{}, gen);
  auto all = learner.sample(4, SampleNoise::per_sample({11, 12, 13, 14})).x;
  auto last_two = learner.sample(2, SampleNoise::per_sample({13, 14})).x;
  EXPECT_TRUE(torch::equal(all.narrow(1, 2, 2), last_two));
  EXPECT_FALSE(torch::equal(all.narrow(1, 0, 2), last_two));
}

TEST(GaussianLearner, SaveLoadRestoresTheExactState) {
  test::ScratchDir dir;
  GaussianSource truth(f64({0}, {1}), torch::eye(1, torch::kFloat64));
  GaussianLearner a(truth, 3, torch::kCPU), b(truth, 3, torch::kCPU);
  auto gen = make_generator(2, 0, Stream::RealData);
  a.fit({truth.draw(3, 10, gen), {}}, FitPlan{}, gen);
  a.save(dir.path());
  b.load(dir.path());
  EXPECT_TRUE(torch::equal(a.mean(), b.mean()));
  EXPECT_TRUE(torch::equal(a.cov(), b.cov()));
  auto ga = make_generator(5, 1, Stream::Eval), gb = make_generator(5, 1, Stream::Eval);
  EXPECT_EQ(a.evaluate(ga, dir.path()).dump(), b.evaluate(gb, dir.path()).dump());
  GaussianLearner wrong(truth, 4, torch::kCPU);
  EXPECT_THROW(wrong.load(dir.path()), std::runtime_error);
}

TEST(GaussianLearner, ReportHasOneRowPerReplicaWithTheDocumentedColumns) {
  GaussianSource truth(f64({0, 0}, {2}), torch::eye(2, torch::kFloat64));
  GaussianLearner learner(truth, 2, torch::kCPU);
  auto gen = make_generator(0, 0, Stream::RealData);
  learner.fit({truth.draw(2, 5, gen), {}}, FitPlan{}, gen);
  EXPECT_EQ(learner.report_header(), "generation,replica,mu_0,mu_1,cov_0_0,cov_0_1,cov_1_0,cov_1_1");
  const auto rows = learner.report_rows(7);
  EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'), 2);
  EXPECT_EQ(rows.rfind("7,0,", 0), 0u);
  EXPECT_NE(rows.find("\n7,1,"), std::string::npos);
}

}  // namespace
}  // namespace retrain
