// loop.correction.type -> Correction.
#include <fmt/format.h>

#include "retrain/core/config.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/correction/oracle_mixture.hpp"

namespace retrain {

std::unique_ptr<Correction> make_correction(const CorrectionConfig& config, const PointSource& truth) {
  if (config.type == "none") return std::make_unique<IdentityCorrection>();
  if (config.type == "oracle_mixture") return std::make_unique<OracleMixtureCorrection>(truth, config.gamma);
  throw UsageError(fmt::format("loop.correction.type '{}' is not known", config.type));
}

}  // namespace retrain
