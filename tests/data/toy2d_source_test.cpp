// Toy2dSource: shapes, seeding, and the geometry of each FFJORD toy set.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <numbers>

#include "retrain/core/errors.hpp"
#include "retrain/data/toy2d_source.hpp"

namespace retrain {
namespace {

at::Generator seeded(std::uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

torch::Tensor draw(const std::string& name, std::int64_t n, std::optional<double> noise = std::nullopt,
                   std::uint64_t seed = 1) {
  auto gen = seeded(seed);
  return Toy2dSource(name, noise).draw(1, n, gen)[0];
}

torch::Tensor radius(const torch::Tensor& points, double cx = 0, double cy = 0) {
  return (points - torch::tensor({cx, cy}, points.options())).norm(2, 1);
}

// Share of `values` within `tol` of `target`.
double share_near(const torch::Tensor& values, double target, double tol = 1e-9) {
  return ((values - target).abs() <= tol).to(torch::kFloat64).mean().item<double>();
}

TEST(Toy2dSource, EverySetDrawsFiniteFloat64PointsOfTheRequestedShape) {
  for (const auto& name : Toy2dSource::names()) {
    SCOPED_TRACE(name);
    auto gen = seeded(3);
    const Toy2dSource source(name);
    EXPECT_EQ(source.dim(), 2);
    for (const std::int64_t n : {0, 1, 7, 1001}) {
      const auto x = source.draw(3, n, gen);
      EXPECT_EQ(x.sizes(), (std::vector<std::int64_t>{3, n, 2}));
      EXPECT_EQ(x.scalar_type(), torch::kFloat64);
      EXPECT_TRUE(x.device().is_cpu());
      EXPECT_TRUE(x.isfinite().all().item<bool>());
    }
  }
}

TEST(Toy2dSource, SameSeedSamePointsDifferentSeedOrReplicaDifferentPoints) {
  for (const auto& name : Toy2dSource::names()) {
    SCOPED_TRACE(name);
    const Toy2dSource source(name);
    auto a = seeded(11), b = seeded(11), c = seeded(12);
    const auto xa = source.draw(2, 500, a), xb = source.draw(2, 500, b), xc = source.draw(2, 500, c);
    EXPECT_TRUE(torch::equal(xa, xb));
    EXPECT_FALSE(torch::equal(xa, xc));
    EXPECT_FALSE(torch::equal(xa[0], xa[1]));
  }
}

TEST(Toy2dSource, UnknownNameOrNegativeNoiseIsAUsageError) {
  try {
    Toy2dSource("foo");
    FAIL() << "no exception";
  } catch (const UsageError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("data.name 'foo' is not a toy data set; expected one of"), std::string::npos) << msg;
    EXPECT_NE(msg.find("8gaussians"), std::string::npos) << msg;
    EXPECT_NE(msg.find("rings"), std::string::npos) << msg;
  }
  EXPECT_THROW(Toy2dSource("moons", -0.1), UsageError);
}

TEST(Toy2dSource, NamesAndDescription) {
  EXPECT_EQ(Toy2dSource::names(), (std::vector<std::string>{"8gaussians", "2spirals", "checkerboard", "moons",
                                                             "circles", "pinwheel", "swissroll", "rings"}));
  EXPECT_EQ(Toy2dSource("moons").describe(), "toy 2-D 'moons' (noise 0.1)");
  EXPECT_DOUBLE_EQ(Toy2dSource("circles", 0.2).noise(), 0.2);
}

TEST(Toy2dSource, OnlyEightGaussiansHasModes) {
  for (const auto& name : Toy2dSource::names())
    EXPECT_EQ(Toy2dSource(name).modes().has_value(), name == "8gaussians") << name;
  const auto modes = *Toy2dSource("8gaussians").modes();
  EXPECT_EQ(modes.centers.sizes(), (std::vector<std::int64_t>{8, 2}));
  EXPECT_TRUE(torch::allclose(modes.centers.norm(2, 1), torch::full({8}, 4 / 1.414, torch::kFloat64)));
  EXPECT_NEAR(modes.std, 0.5 / 1.414, 1e-12);
}

TEST(Toy2dSource, EightGaussiansPointsLieNearTheirCentresWithTheTrueSpread) {
  const auto modes = *Toy2dSource("8gaussians").modes();
  const auto x = draw("8gaussians", 20000);
  const auto [dist, nearest] = at::cdist(x, modes.centers).min(1);
  EXPECT_LT(dist.max().item<double>(), 6 * modes.std);
  const auto counts = torch::bincount(nearest, {}, 8).to(torch::kFloat64) / 20000.0;
  EXPECT_LT((counts - 0.125).abs().max().item<double>(), 0.015);
  // Per-axis spread about the centre: E|x - c|^2 = 2 std^2.
  EXPECT_NEAR(std::sqrt(dist.square().mean().item<double>() / 2), modes.std, 0.01);
}

TEST(Toy2dSource, MoonsWithoutNoiseLieOnTwoHalfCirclesOfRadiusTwo) {
  const auto x = draw("moons", 1001, 0.0);
  const auto upper = radius(x, -1, -0.2), lower = radius(x, 1, 0.8);
  const auto on_upper = (upper - 2).abs() < 1e-9, on_lower = (lower - 2).abs() < 1e-9;
  EXPECT_TRUE((on_upper | on_lower).all().item<bool>());
  EXPECT_EQ(on_upper.sum().item<std::int64_t>(), 500);
  EXPECT_TRUE((x.select(1, 1).masked_select(on_upper) >= -0.2 - 1e-9).all().item<bool>());
  EXPECT_TRUE((x.select(1, 1).masked_select(on_lower) <= 0.8 + 1e-9).all().item<bool>());
}

TEST(Toy2dSource, CirclesHaveRadiiThreeAndOneAndAHalfInRandomOrder) {
  const auto r = radius(draw("circles", 1000, 0.0));
  EXPECT_DOUBLE_EQ(share_near(r, 3.0), 0.5);
  EXPECT_DOUBLE_EQ(share_near(r, 1.5), 0.5);
  const double outer_first_half = share_near(r.slice(0, 0, 500), 3.0);
  EXPECT_GT(outer_first_half, 0.35);
  EXPECT_LT(outer_first_half, 0.65);
  // With the default noise (0.08 before the * 3) the radii spread by ~0.24.
  const auto noisy = radius(draw("circles", 20000));
  const auto outer = noisy.masked_select(noisy > 2.25);
  EXPECT_NEAR(outer.mean().item<double>(), 3.0, 0.02);
  EXPECT_NEAR(outer.std().item<double>(), 0.24, 0.02);
}

TEST(Toy2dSource, RingsHaveFourRadii) {
  const auto r = radius(draw("rings", 1002, 0.0));
  EXPECT_NEAR(share_near(r, 3.0), 250 / 1002.0, 1e-12);
  EXPECT_NEAR(share_near(r, 2.25), 250 / 1002.0, 1e-12);
  EXPECT_NEAR(share_near(r, 1.5), 250 / 1002.0, 1e-12);
  EXPECT_NEAR(share_near(r, 0.75), 252 / 1002.0, 1e-12);
}

TEST(Toy2dSource, CheckerboardFillsTheEightDarkSquares) {
  const auto x = draw("checkerboard", 20000);
  EXPECT_TRUE(((x >= -4) & (x < 4)).all().item<bool>());
  const auto cell = (x / 2).floor();
  const auto parity = (cell.select(1, 0) + cell.select(1, 1)).remainder(2);
  EXPECT_TRUE((parity == 0).all().item<bool>());
  const auto index = ((cell.select(1, 1) + 2) * 4 + cell.select(1, 0) + 2).to(torch::kLong);
  const auto counts = torch::bincount(index, {}, 16).to(torch::kFloat64) / 20000.0;
  EXPECT_EQ((counts > 0.1).sum().item<std::int64_t>(), 8);
}

TEST(Toy2dSource, SwissrollRadiusFollowsItsAngle) {
  const auto x = draw("swissroll", 2000, 0.0);
  const auto t = radius(x) * 5;
  EXPECT_GE(t.min().item<double>(), 1.5 * std::numbers::pi - 1e-9);
  EXPECT_LE(t.max().item<double>(), 4.5 * std::numbers::pi + 1e-9);
  EXPECT_TRUE(torch::allclose(x * 5, torch::stack({t * t.cos(), t * t.sin()}, 1), 1e-9, 1e-9));
}

TEST(Toy2dSource, TwoSpiralsArePointSymmetricWithinTheReferenceRadius) {
  const auto x = draw("2spirals", 20000, 0.0);
  EXPECT_LE(radius(x).max().item<double>(), (3 * std::numbers::pi + 0.5 * std::sqrt(2.0)) / 3 + 1e-9);
  EXPECT_LT(x.mean(0).abs().max().item<double>(), 0.05);
}

TEST(Toy2dSource, PinwheelArmsHaveRadiusNearTwo) {
  const auto r = radius(draw("pinwheel", 20000));
  EXPECT_NEAR(r.mean().item<double>(), 2.0, 0.05);
  EXPECT_NEAR(r.std().item<double>(), 0.6, 0.05);
}

}  // namespace
}  // namespace retrain
