// PointEvaluator: metrics against a fresh real draw, plus the samples and their density picture.
#include "retrain/learners/point_evaluator.hpp"

#include "retrain/core/npy.hpp"
#include "retrain/metrics/point_metrics.hpp"
#include "retrain/plots/density.hpp"

namespace retrain {

nlohmann::json PointEvaluator::evaluate(const SampleSet& generated, at::Generator& gen,
                                        const std::filesystem::path& out_dir) {
  const auto& x = generated.x;
  auto real = truth_.draw(1, x.size(0), gen)[0];
  PointMetricOptions options;
  options.projection_seed = projection_seed_;
  if (auto modes = truth_.modes()) {
    options.mode_centers = modes->centers;
    options.mode_std = modes->std;
  }
  nlohmann::json m = point_metrics(x.to(torch::kFloat64), real, options);
  save_npy(out_dir / "samples.npy", x.to(torch::kFloat32));
  write_density_png(out_dir / "density.png", x.to(torch::kFloat64));
  return m;
}

}  // namespace retrain
