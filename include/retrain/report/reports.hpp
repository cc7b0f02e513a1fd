// Reports over finished runs: the combined metrics table, the density strip of toy runs (paper 1's
// Figure 1), the seed strips of image runs and metric curves drawn by scripts/plot.py.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "retrain/loop/config.hpp"

namespace retrain {

struct LabelledRun {
  std::string label;
  std::filesystem::path dir;
};

// One row per (run, evaluated generation): run, then every metric key found in any run (sorted).
void write_metrics_table(const std::vector<LabelledRun>& runs, const std::filesystem::path& csv);

// Generations to show in a strip: 0, then up to `columns - 1` evenly spaced evaluated ones ending at T.
std::vector<std::int64_t> strip_generations(std::int64_t total_generations, std::int64_t every, int columns);

// Rows = runs, columns = the true density (drawn from `config`'s source) then each generation's
// samples.npy. Returns false (writing nothing) when the runs have no samples.npy (e.g. Gaussian learner).
bool write_density_strip(const std::vector<LabelledRun>& runs, const Config& config,
                         const std::vector<std::int64_t>& generations, const std::filesystem::path& png);

// Image runs: rewrites each run's same-seed strip, RUN/plots/seed_strip.png, from its committed
// generations (see write_seed_strip); runs without seed tiles are left alone.
void write_seed_strips(const std::vector<LabelledRun>& runs);

// Runs `python scripts/plot.py RUNS... --pool-seeds -o out_dir` with the project's venv Python (runs
// that differ only in their seed, as a seed=... axis makes them, become one line: the mean over seeds
// with its standard error). Returns false (and logs the command to run by hand) when Python or the script is
// not available.
bool plot_metric_curves(const std::vector<LabelledRun>& runs, const std::filesystem::path& out_dir);

}  // namespace retrain
