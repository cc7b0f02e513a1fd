// The embedded default experiment (configs/demo.yaml, compiled in) as a two-point sweep over
// loop.real: fully synthetic (none) against the real data kept (fixed). Re-running it continues or
// just reports the existing runs.
#include <fmt/format.h>

#include <iostream>

#include "commands.hpp"
#include "options.hpp"
#include "report_summary.hpp"
#include "retrain/report/sweep.hpp"

namespace retrain::cli {

int demo_command(const CommonOptions& options) {
  auto overrides = overrides_from(options);
  overrides.insert(overrides.begin(), {"name", "demo", true});
  resume_hint() = "`retrain` (the demo) again";
  const auto result = run_sweep(embedded_demo_yaml(), "configs/demo.yaml (embedded)", overrides,
                                {{"loop.real", {"none", "fixed"}}}, {.overwrite = options.overwrite});
  std::cout << "\nThe demo: " << choice_name(result.runs.front().config.data.source) << " "
            << (result.runs.front().config.data.source == DataSource::toy2d ? result.runs.front().config.data.name : "")
            << " retrained on its own samples only (real=none) and with its real data kept (real=fixed).\n";
  print_sweep_summary(result);
  return 0;
}

}  // namespace retrain::cli
