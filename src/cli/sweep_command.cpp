// `retrain sweep --config F --grid key=v1,v2 ...`: the grid's runs in sibling directories, then
// sweep.csv, strip.png (2-D runs) and plots/.
#include "commands.hpp"
#include "options.hpp"
#include "report_summary.hpp"
#include "retrain/core/atomic_file.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/report/sweep.hpp"

namespace retrain::cli {

int sweep_command(const CommonOptions& options, const std::vector<std::string>& grid) {
  if (options.config.empty()) throw UsageError("sweep: --config FILE is required");
  if (grid.empty()) throw UsageError("sweep: give at least one --grid key=v1,v2,...");
  std::vector<SweepAxis> axes;
  for (const auto& g : grid) axes.push_back(parse_axis(g));
  auto overrides = overrides_from(options);
  std::string text;
  try {
    text = read_file(options.config);
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
  if (!options.name) overrides.insert(overrides.begin(), {"name", std::filesystem::path(options.config).stem().string(), true});
  active_run_dir() = "<sweep dir>/<run>";
  print_sweep_summary(run_sweep(text, options.config, overrides, axes, options.overwrite));
  return 0;
}

}  // namespace retrain::cli
