// The FFJORD toy sets, vectorised over [replicas, n]: float64 points built from uniform and normal draws of
// the caller's generator; structured sets (fixed angle grids) are put in random order per replica.
#include "retrain/data/toy2d_source.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <cmath>
#include <numbers>

#include "retrain/core/errors.hpp"

namespace retrain {
namespace {

using torch::Tensor;
using Sizes = std::vector<std::int64_t>;
constexpr double kPi = std::numbers::pi;
constexpr double kEightGaussiansDivisor = 1.414;  // the reference's final "dataset /= 1.414"

torch::TensorOptions f64() { return torch::TensorOptions().dtype(torch::kFloat64); }
Tensor uniform(const Sizes& sizes, at::Generator& gen) { return at::rand(sizes, gen, f64()); }
Tensor normal(const Sizes& sizes, at::Generator& gen) { return at::randn(sizes, gen, f64()); }

// values [n, ...] in an independent random order for each replica: [replicas, n, ...].
Tensor permuted(const Tensor& values, std::int64_t replicas, at::Generator& gen) {
  const auto order = std::get<1>(uniform({replicas, values.size(0)}, gen).sort(1));
  return values.index({order});
}

// `count` points evenly spaced on a circle of `radius`, first at angle 0, last short of 2 pi: [count, 2].
Tensor circle(std::int64_t count, double radius) {
  const auto angle = torch::arange(count, f64()) * (2 * kPi / static_cast<double>(std::max<std::int64_t>(count, 1)));
  return torch::stack({angle.cos(), angle.sin()}, 1) * radius;
}

// Unscaled 8gaussians centres in the reference's order: E, W, N, S, NE, SE, NW, SW at radius 4.
Tensor eight_centres() {
  const double s = 1.0 / std::sqrt(2.0);
  return torch::tensor({1.0, 0.0, -1.0, 0.0, 0.0, 1.0, 0.0, -1.0, s, s, s, -s, -s, s, -s, -s}, f64()).view({8, 2}) * 4.0;
}

Tensor eight_gaussians(std::int64_t r, std::int64_t n, double noise, at::Generator& gen) {
  const auto offsets = normal({r, n, 2}, gen) * noise;
  const auto mode = at::randint(0, 8, {r, n}, gen, torch::TensorOptions().dtype(torch::kLong));
  return (eight_centres().index({mode}) + offsets) / kEightGaussiansDivisor;
}

Tensor two_spirals(std::int64_t r, std::int64_t n, double noise, at::Generator& gen) {
  const auto t = uniform({r, n, 1}, gen).sqrt() * (540.0 * 2 * kPi / 360.0);
  const auto arm = permuted(torch::cat({torch::ones({n - n / 2, 1}, f64()), -torch::ones({n / 2, 1}, f64())}), r, gen);
  const auto curve = torch::cat({-t.cos() * t, t.sin() * t}, 2) + uniform({r, n, 2}, gen) * 0.5;
  return arm * curve / 3.0 + normal({r, n, 2}, gen) * noise;
}

Tensor checkerboard(std::int64_t r, std::int64_t n, double noise, at::Generator& gen) {
  const auto x1 = uniform({r, n}, gen) * 4 - 2;
  const auto band = at::randint(0, 2, {r, n}, gen, f64());  // 0: row [0, 1), 1: row [-2, -1)
  const auto x2 = uniform({r, n}, gen) - band * 2 + x1.floor().remainder(2);
  auto points = torch::stack({x1, x2}, 2) * 2;
  if (noise > 0) points = points + normal({r, n, 2}, gen) * noise;
  return points;
}

Tensor moons(std::int64_t r, std::int64_t n, double noise, at::Generator& gen) {
  const auto n_out = n / 2;
  const auto a_out = torch::linspace(0, kPi, n_out, f64());
  const auto a_in = torch::linspace(0, kPi, n - n_out, f64());
  const auto outer = torch::stack({a_out.cos(), a_out.sin()}, 1);
  const auto inner = torch::stack({1 - a_in.cos(), 0.5 - a_in.sin()}, 1);
  const auto points = permuted(torch::cat({outer, inner}), r, gen) + normal({r, n, 2}, gen) * noise;
  return points * 2 + torch::tensor({-1.0, -0.2}, f64());
}

Tensor circles(std::int64_t r, std::int64_t n, double noise, at::Generator& gen) {
  const auto base = torch::cat({circle(n / 2, 1.0), circle(n - n / 2, 0.5)});
  return (permuted(base, r, gen) + normal({r, n, 2}, gen) * noise) * 3;
}

Tensor pinwheel(std::int64_t r, std::int64_t n, double noise, at::Generator& gen) {
  constexpr double kArms = 5, kRadialStd = 0.3, kRate = 0.25;
  const auto arm = permuted(torch::arange(n, f64()).remainder(kArms), r, gen);
  const auto radial = 1 + normal({r, n}, gen) * kRadialStd;
  const auto tangential = normal({r, n}, gen) * noise;
  const auto angle = arm * (2 * kPi / kArms) + kRate * radial.exp();
  // The reference multiplies the row vector (radial, tangential) by [[cos, -sin], [sin, cos]].
  const auto x = radial * angle.cos() + tangential * angle.sin();
  const auto y = -radial * angle.sin() + tangential * angle.cos();
  return torch::stack({x, y}, 2) * 2;
}

Tensor swissroll(std::int64_t r, std::int64_t n, double noise, at::Generator& gen) {
  const auto t = 1.5 * kPi * (1 + 2 * uniform({r, n}, gen));
  const auto roll = torch::stack({t * t.cos(), t * t.sin()}, 2);
  return (roll + normal({r, n, 2}, gen) * noise) / 5;
}

Tensor rings(std::int64_t r, std::int64_t n, double noise, at::Generator& gen) {
  const auto q = n / 4;
  const auto base = torch::cat({circle(q, 1.0), circle(q, 0.75), circle(q, 0.5), circle(n - 3 * q, 0.25)}) * 3;
  return permuted(base, r, gen) + normal({r, n, 2}, gen) * noise;
}

struct ToySet {
  const char* name;
  double default_noise;
  Tensor (*draw)(std::int64_t replicas, std::int64_t n, double noise, at::Generator& gen);
};

constexpr std::array<ToySet, 8> kSets = {{
    {"8gaussians", 0.5, eight_gaussians},
    {"2spirals", 0.1, two_spirals},
    {"checkerboard", 0.0, checkerboard},
    {"moons", 0.1, moons},
    {"circles", 0.08, circles},
    {"pinwheel", 0.1, pinwheel},
    {"swissroll", 1.0, swissroll},
    {"rings", 0.08, rings},
}};

const ToySet& find_set(const std::string& name) {
  for (const auto& set : kSets)
    if (name == set.name) return set;
  throw UsageError(fmt::format("data.name '{}' is not a toy data set; expected one of {}", name,
                               fmt::join(Toy2dSource::names(), ", ")));
}

}  // namespace

Toy2dSource::Toy2dSource(std::string name, std::optional<double> noise)
    : name_(std::move(name)), noise_(noise.value_or(find_set(name_).default_noise)) {
  if (!(noise_ >= 0)) throw UsageError(fmt::format("data.noise {} for '{}' must be >= 0", noise_, name_));
}

std::vector<std::string> Toy2dSource::names() {
  std::vector<std::string> out;
  for (const auto& set : kSets) out.emplace_back(set.name);
  return out;
}

torch::Tensor Toy2dSource::draw(std::int64_t replicas, std::int64_t n, at::Generator& gen) const {
  TORCH_CHECK(replicas >= 0 && n >= 0, "Toy2dSource::draw: replicas ", replicas, " and n ", n, " must be >= 0");
  return find_set(name_).draw(replicas, n, noise_, gen);
}

std::string Toy2dSource::describe() const { return fmt::format("toy 2-D '{}' (noise {:g})", name_, noise_); }

std::optional<ModeInfo> Toy2dSource::modes() const {
  if (name_ != "8gaussians") return std::nullopt;
  return ModeInfo{eight_centres() / kEightGaussiansDivisor, noise_ / kEightGaussiansDivisor};
}

}  // namespace retrain
