// loop.correction.type -> Correction.
#include <fmt/format.h>

#include "retrain/core/config.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/correction/nearest_mode.hpp"
#include "retrain/correction/oracle_mixture.hpp"
#include "retrain/data/real_data.hpp"

namespace retrain {
namespace {

const PointSource& require_points(const CorrectionConfig& config, const RealData& real) {
  if (const auto* points = real.points()) return *points;
  throw UsageError(fmt::format("loop.correction.type: {} needs a point source; {} is not one", config.type, real.describe()));
}

}  // namespace

std::unique_ptr<Correction> make_correction(const CorrectionConfig& config, const RealData& real) {
  if (config.type == "none") return std::make_unique<IdentityCorrection>();
  if (config.type == "oracle_mixture")
    return std::make_unique<OracleMixtureCorrection>(require_points(config, real), config.gamma);
  if (config.type == "nearest_mode") {
    const auto& truth = require_points(config, real);
    auto modes = truth.modes();
    if (!modes)
      throw UsageError(fmt::format("loop.correction.type: nearest_mode needs a source with point modes (toy2d "
                                   "8gaussians); {} has none", truth.describe()));
    return std::make_unique<NearestModeCorrection>(modes->centers, config.strength);
  }
  throw UsageError(fmt::format("loop.correction.type '{}' is not known", config.type));
}

}  // namespace retrain
