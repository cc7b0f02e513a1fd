// `retrain sweep --config F [--grid key=v1,v2 ...]` (default: the config's sweep.grid): the grid's runs in sibling directories, then
// sweep.csv, strip.png (2-D runs) and plots/. --jobs N runs N grid points at once in child processes;
// --point K runs only point K (a job array's task); --count prints the number of points.
#include <fmt/format.h>
#include <torch/cuda.h>

#include <iostream>

#include "commands.hpp"
#include "options.hpp"
#include "report_summary.hpp"
#include "retrain/core/atomic_file.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/report/child_runs.hpp"
#include "retrain/report/sweep.hpp"

namespace retrain::cli {

int sweep_command(const CommonOptions& options, const std::vector<std::string>& grid, int jobs,
                  std::optional<std::size_t> point, bool count) {
  if (options.config.empty()) throw UsageError("sweep: --config FILE is required");
  auto overrides = overrides_from(options);
  const auto& axes_text = grid.empty() ? load_config_file(options.config, overrides).sweep.grid : grid;
  if (axes_text.empty())
    throw UsageError(fmt::format("sweep: no grid: give --grid key=v1,v2,... or set sweep.grid in {}", options.config));
  std::vector<SweepAxis> axes;
  for (const auto& g : axes_text) axes.push_back(parse_axis(g));
  if (count) {
    std::cout << grid_size(axes) << "\n";
    return 0;
  }
  if (point && jobs > 1) throw UsageError("sweep: --point runs one grid point; it does not take --jobs");
  std::string text;
  try {
    text = read_file(options.config);
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
  if (!options.name) overrides.insert(overrides.begin(), {"name", std::filesystem::path(options.config).stem().string(), true});
  resume_hint() = "the same `retrain sweep` command again";
  SweepOptions sweep{.overwrite = options.overwrite, .jobs = jobs, .point = point};
  if (jobs > 1) {
    sweep.executable = std::filesystem::read_symlink("/proc/self/exe");
    sweep.gpus = visible_gpus(static_cast<int>(torch::cuda::device_count()));
  }
  print_sweep_summary(run_sweep(text, options.config, overrides, axes, sweep));
  return 0;
}

}  // namespace retrain::cli
