// --set / --out / --name / --device / --seed -> Override list (flags after --set, so flags win).
#include "options.hpp"

namespace retrain::cli {

std::string& resume_hint() {
  static std::string hint;
  return hint;
}

std::vector<Override> overrides_from(const CommonOptions& options) {
  std::vector<Override> out;
  for (const auto& s : options.sets) out.push_back(parse_override(s));
  if (options.out) out.push_back({"out", *options.out, true});
  if (options.name) out.push_back({"name", *options.name, true});
  if (options.device) out.push_back({"device", *options.device});
  if (options.seed) out.push_back({"seed", std::to_string(*options.seed)});
  return out;
}

}  // namespace retrain::cli
