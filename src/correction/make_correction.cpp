// loop.correction.type -> Correction.
#include <fmt/format.h>

#include "retrain/core/config.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/correction/nearest_mode.hpp"
#include "retrain/correction/oracle_mixture.hpp"

namespace retrain {

std::unique_ptr<Correction> make_correction(const CorrectionConfig& config, const PointSource& truth) {
  if (config.type == "none") return std::make_unique<IdentityCorrection>();
  if (config.type == "oracle_mixture") return std::make_unique<OracleMixtureCorrection>(truth, config.gamma);
  if (config.type == "nearest_mode") {
    auto modes = truth.modes();
    if (!modes)
      throw UsageError(fmt::format("loop.correction.type: nearest_mode needs a source with point modes (toy2d "
                                   "8gaussians); {} has none", truth.describe()));
    return std::make_unique<NearestModeCorrection>(modes->centers, config.strength);
  }
  throw UsageError(fmt::format("loop.correction.type '{}' is not known", config.type));
}

}  // namespace retrain
