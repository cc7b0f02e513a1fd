// FID: zero against itself, scipy's sqrtm formula, the Gaussian closed form, batched statistics, the cache file,
// and statistics read from and written to .npz files (EDM's calculate_fid_from_inception_stats on numpy's files).
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <cstdlib>

#include "retrain/core/npy.hpp"
#include "retrain/core/npz.hpp"
#include "retrain/metrics/fid.hpp"
#include "retrain/core/errors.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

const auto kF64 = torch::TensorOptions().dtype(torch::kFloat64);

// n correlated features in d dimensions: Gaussian noise through a random mixing matrix, plus a random mean.
torch::Tensor correlated_features(std::int64_t n, std::int64_t d, std::uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const auto mixing = at::randn({d, d}, gen, kF64) / std::sqrt(static_cast<double>(d));
  return at::randn({n, d}, gen, kF64).matmul(mixing) + at::randn({d}, gen, kF64);
}

// FID from tests/metrics/fid_reference.py (numpy.cov and scipy.linalg.sqrtm).
double scipy_fid(const torch::Tensor& a, const torch::Tensor& b) {
  test::ScratchDir dir;
  save_npy(dir / "a.npy", a);
  save_npy(dir / "b.npy", b);
  const std::string command = std::string(test::kPython) + " " + test::kSourceDir + "/tests/metrics/fid_reference.py " +
                              (dir / "a.npy").string() + " " + (dir / "b.npy").string() + " > " +
                              (dir / "fid.txt").string();
  if (std::system(command.c_str()) != 0) throw std::runtime_error("failed: " + command);
  return std::stod(test::read_text(dir / "fid.txt"));
}

// Statistics given exactly, as for a known Gaussian (fid only needs the count to be at least 2).
FeatureStats gaussian_stats(const torch::Tensor& mean, const torch::Tensor& cov) { return {mean, cov, 10}; }

TEST(Fid, SetAgainstItselfIsZero) {
  const auto stats = feature_stats(correlated_features(500, 32, 1));
  EXPECT_LT(std::abs(fid(stats, stats)), 1e-6);
}

TEST(Fid, MatchesScipySqrtmOnCorrelatedFeatures) {
  if (!std::filesystem::exists(test::kPython)) GTEST_SKIP() << "no Python at " << test::kPython;
  const auto a = correlated_features(500, 32, 2);
  const auto b = 1.3 * correlated_features(400, 32, 3);
  const double expected = scipy_fid(a, b);
  ASSERT_GT(expected, 1.0);
  EXPECT_NEAR(fid(feature_stats(a), feature_stats(b)) / expected, 1.0, 1e-6) << "scipy: " << expected;
}

// FID(N(m1, Q diag(v1) Q^T), N(m2, Q diag(v2) Q^T)) = |m1 - m2|^2 + sum_i (sqrt v1_i - sqrt v2_i)^2.
double commuting_gaussians_fid(const torch::Tensor& m1, const torch::Tensor& v1, const torch::Tensor& m2,
                               const torch::Tensor& v2) {
  return (m1 - m2).square().sum().item<double>() + (v1.sqrt() - v2.sqrt()).square().sum().item<double>();
}

TEST(Fid, GaussiansWithCommutingCovariancesMatchTheClosedForm) {
  const auto m1 = torch::arange(6, kF64), m2 = torch::tensor({0.5, 1.0, 2.0, 2.0, 4.0, 7.0}, kF64);
  const auto v1 = torch::tensor({1.0, 4.0, 0.25, 9.0, 0.5, 2.0}, kF64);
  const auto v2 = torch::tensor({4.0, 1.0, 0.25, 1.0, 1.0, 8.0}, kF64);
  EXPECT_NEAR(fid(gaussian_stats(m1, torch::diag(v1)), gaussian_stats(m2, torch::diag(v2))),
              commuting_gaussians_fid(m1, v1, m2, v2), 1e-10);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(4);
  const auto rotation = std::get<0>(torch::linalg_qr(at::randn({6, 6}, gen, kF64)));
  const auto rotated = [&](const torch::Tensor& v) { return rotation.matmul(torch::diag(v)).matmul(rotation.t()); };
  EXPECT_NEAR(fid(gaussian_stats(m1, rotated(v1)), gaussian_stats(m2, rotated(v2))),
              commuting_gaussians_fid(m1, v1, m2, v2), 1e-10);
  // A singular covariance (a variance of 0): exact when diagonal; rotated, the round-off eigenvalue near 0
  // enters through its square root, so only about sqrt(machine epsilon) is left of the precision.
  const auto v0 = torch::tensor({1.0, 4.0, 0.25, 9.0, 0.0, 2.0}, kF64);
  EXPECT_NEAR(fid(gaussian_stats(m1, torch::diag(v0)), gaussian_stats(m2, torch::diag(v2))),
              commuting_gaussians_fid(m1, v0, m2, v2), 1e-10);
  EXPECT_NEAR(fid(gaussian_stats(m1, rotated(v0)), gaussian_stats(m2, rotated(v2))),
              commuting_gaussians_fid(m1, v0, m2, v2), 1e-6);
}

TEST(Fid, BatchedStatisticsEqualOneShotStatistics) {
  const auto x = correlated_features(1000, 24, 5);
  FeatureStatsAccumulator accumulator;
  for (const auto& [start, end] : std::vector<std::pair<std::int64_t, std::int64_t>>{{0, 1}, {1, 100}, {100, 100}, {100, 400}, {400, 1000}})
    accumulator.add(x.slice(0, start, end));
  const auto batched = accumulator.stats(), one_shot = feature_stats(x);
  EXPECT_EQ(batched.count, 1000);
  EXPECT_EQ(one_shot.count, 1000);
  EXPECT_TRUE(torch::allclose(batched.mean, one_shot.mean, 1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(batched.cov, one_shot.cov, 1e-12, 1e-12));
  // Both are the textbook mean and unbiased covariance.
  EXPECT_TRUE(torch::allclose(one_shot.mean, x.mean(0), 1e-12, 1e-12));
  EXPECT_TRUE(torch::allclose(one_shot.cov, torch::cov(x.t()), 1e-12, 1e-12));
}

TEST(Fid, StatisticsStayAccurateFarFromTheOrigin) {
  // Features near 1e6 with unit spread: sum(x x^T) - n mu mu^T would lose about 1e-3 of the covariance to
  // cancellation; the shifted sums keep it to round-off.
  const auto x = correlated_features(2000, 8, 6) + 1e6;
  FeatureStatsAccumulator accumulator;
  accumulator.add(x.slice(0, 0, 100));
  accumulator.add(x.slice(0, 100));
  const auto centred = x - x.mean(0);
  EXPECT_TRUE(torch::allclose(accumulator.stats().cov, centred.t().matmul(centred) / 1999, 1e-9, 1e-9));
}

TEST(Fid, MismatchedDimensionsAndTooFewVectorsAreUsageErrors) {
  const auto wide = feature_stats(correlated_features(10, 5, 8)), narrow = feature_stats(correlated_features(10, 3, 9));
  const auto mismatch = test::message_of<UsageError>([&] { fid(wide, narrow); });
  EXPECT_NE(mismatch.find("5 and 3 features"), std::string::npos) << mismatch;
  const auto single = test::message_of<UsageError>([] { feature_stats(torch::zeros({1, 4})); });
  EXPECT_NE(single.find("got 1"), std::string::npos) << single;
  FeatureStatsAccumulator accumulator;
  accumulator.add(torch::zeros({3, 4}));
  const auto batch = test::message_of<UsageError>([&] { accumulator.add(torch::zeros({3, 2})); });
  EXPECT_NE(batch.find("a batch has 2 features per vector, earlier batches had 4"), std::string::npos) << batch;
  const auto nan = test::message_of<UsageError>([&] { accumulator.add(torch::full({2, 4}, NAN)); });
  EXPECT_NE(nan.find("NaN"), std::string::npos) << nan;
}

// `fid_reference.py args...`, its stdout.
std::string reference_script(const std::vector<std::string>& args) {
  std::vector<std::string> all{std::string(test::kSourceDir) + "/tests/metrics/fid_reference.py"};
  all.insert(all.end(), args.begin(), args.end());
  const auto r = test::run_program(test::kPython, all);
  if (r.exit_code != 0) throw std::runtime_error("fid_reference.py failed: " + r.output);
  return r.output;
}

TEST(FidOfStatisticsFiles, EqualsEdmsFormulaOnNumpysFiles) {
  if (!std::filesystem::exists(test::kPython)) GTEST_SKIP() << "no Python at " << test::kPython;
  test::ScratchDir dir;
  save_npy(dir / "a.npy", correlated_features(600, 48, 4));
  save_npy(dir / "b.npy", 1.2 * correlated_features(500, 48, 5));
  // EDM's fid.py ref writes numpy.savez, pytorch-fid numpy.savez_compressed; a column-major sigma too.
  reference_script({"--stats", (dir / "a.npy").string(), (dir / "a.npz").string()});
  reference_script({"--stats", (dir / "b.npy").string(), (dir / "b.npz").string(), "--compressed", "--fortran"});
  const double expected = std::stod(reference_script({"--npz", (dir / "a.npz").string(), (dir / "b.npz").string()}));
  ASSERT_GT(expected, 1.0);
  const auto a = load_reference_stats(dir / "a.npz"), b = load_reference_stats(dir / "b.npz");
  EXPECT_EQ(a.count, FeatureStats::kUnknownCount);
  EXPECT_EQ(a.mean.size(0), 48);
  EXPECT_NEAR(fid(a, b) / expected, 1.0, 1e-6) << "EDM's formula: " << expected;
  // The files hold what the features give.
  const auto direct = feature_stats(load_npy(dir / "b.npy"));
  EXPECT_TRUE(torch::allclose(b.cov, direct.cov, 1e-10, 1e-12));
  EXPECT_TRUE(torch::allclose(b.mean, direct.mean, 1e-10, 1e-12));

  // What save_reference_stats writes, numpy reads: EDM's formula on it gives the same FID.
  save_reference_stats(dir / "ours.npz", direct);
  const double again = std::stod(reference_script({"--npz", (dir / "a.npz").string(), (dir / "ours.npz").string()}));
  EXPECT_NEAR(again / expected, 1.0, 1e-9);
  const auto reread = load_reference_stats(dir / "ours.npz");
  EXPECT_EQ(reread.count, 500);
  EXPECT_TRUE(torch::equal(reread.cov, direct.cov));
}

TEST(FidOfStatisticsFiles, MalformedFilesAreUsageErrorsNamingTheFile) {
  test::ScratchDir dir;
  const auto d = torch::zeros({4}, kF64);
  const std::vector<std::pair<std::string, std::vector<std::pair<std::string, torch::Tensor>>>> files{
      {"no_sigma.npz", {{"mu", d}}},
      {"wrong_shape.npz", {{"mu", d}, {"sigma", torch::zeros({4, 3}, kF64)}}},
      {"integers.npz", {{"mu", torch::zeros({4}, torch::kLong)}, {"sigma", torch::zeros({4, 4}, kF64)}}},
      {"nan.npz", {{"mu", torch::full({4}, NAN, kF64)}, {"sigma", torch::zeros({4, 4}, kF64)}}}};
  for (const auto& [name, arrays] : files) save_npz(dir / name, arrays);
  test::write_text(dir / "text.npz", "not a zip");
  for (const auto& [name, reason] : std::vector<std::pair<std::string, std::string>>{
           {"no_sigma.npz", "no array 'sigma' (it holds: mu)"},
           {"wrong_shape.npz", "expected [D] and [D, D]"},
           {"integers.npz", "must hold floating-point numbers"},
           {"nan.npz", "NaN or infinity"},
           {"text.npz", "is not a readable .npz file"},
           {"missing.npz", "no such file"}}) {
    const auto message = test::message_of<UsageError>([&] { load_reference_stats(dir / name); });
    EXPECT_TRUE(test::contains(message, (dir / name).string())) << message;
    EXPECT_TRUE(test::contains(message, reason)) << message;
  }
  // FID of statistics with an unknown count is allowed; with a known count below 2 it is not.
  const FeatureStats unknown{torch::zeros({2}, kF64), torch::eye(2, kF64), FeatureStats::kUnknownCount};
  EXPECT_NEAR(fid(unknown, unknown), 0.0, 1e-12);
  EXPECT_THROW(fid(unknown, FeatureStats{torch::zeros({2}, kF64), torch::eye(2, kF64), 1}), UsageError);
}

}  // namespace
}  // namespace retrain
