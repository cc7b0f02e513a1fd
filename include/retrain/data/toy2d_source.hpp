// The 2-D toy data sets of FFJORD (Grathwohl et al. 2018, lib/toy_data.py, inf_train_gen) as PointSources,
// with the reference's geometry and scales, drawn from an explicit generator.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "retrain/data/point_source.hpp"

namespace retrain {


// Sets and what `noise` means for each (default = the reference's value):
//   8gaussians    centres 4 * (8 compass points of the unit circle), per-axis std `noise` (0.5), all / 1.414
//   2spirals      two arms t (-cos t, sin t) + U[0, 0.5)^2, t = 3 pi sqrt(U), / 3, Gaussian jitter `noise` (0.1)
//   checkerboard  uniform on the 8 dark squares of side 2 in [-4, 4]^2; Gaussian jitter `noise` (0: none)
//   moons         sklearn make_moons with noise `noise` (0.1), then * 2 + (-1, -0.2)
//   circles       sklearn make_circles (factor 0.5) with noise `noise` (0.08), then * 3: radii 3 and 1.5
//   pinwheel      5 arms, radial std 0.3, tangential std `noise` (0.1), rate 0.25, then * 2
//   swissroll     sklearn make_swiss_roll with noise `noise` (1.0), coordinates (x, z) / 5
//   rings         4 circles of radii 3, 2.25, 1.5, 0.75, Gaussian jitter `noise` (0.08)
// Departures from the reference: all randomness comes from the generator passed to draw(); every set is
// returned in random order (the reference leaves 2spirals ordered by arm); draw(n) always returns exactly
// n points (the reference drops the remainder of n / 5 for pinwheel and of n / 2 for 2spirals).
class Toy2dSource final : public PointSource {
 public:
  // UsageError for an unknown name or a negative noise.
  explicit Toy2dSource(std::string name, std::optional<double> noise = std::nullopt);

  static std::vector<std::string> names();

  std::int64_t dim() const override { return 2; }
  torch::Tensor draw(std::int64_t replicas, std::int64_t n, at::Generator& gen) const override;
  std::string describe() const override;

  const std::string& name() const { return name_; }
  double noise() const { return noise_; }
  // Point modes, for mode metrics: only 8gaussians has them (the other sets are curves or areas).
  std::optional<ModeInfo> modes() const override;

 private:
  std::string name_;
  double noise_;
};

}  // namespace retrain
