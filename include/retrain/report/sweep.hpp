// Several runs of one base config over a grid of key values (a sweep; the demo is one too): each grid
// point is a sibling run directory, resumed when it exists, followed by the combined reports.
#pragma once
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "retrain/loop/config.hpp"

namespace retrain {

struct SweepAxis {
  std::string key;                  // a config key, e.g. loop.lambda
  std::vector<std::string> values;  // YAML scalars
};
// Parses "key=v1,v2,v3"; UsageError for a missing '=' or an empty value list.
SweepAxis parse_axis(const std::string& text);

struct SweepRun {
  std::string label;  // e.g. "lambda=0.5,gamma=1" (the axis keys' last component)
  std::filesystem::path dir;
  Config config;
};

struct SweepResult {
  std::filesystem::path dir;  // out/name: holds the runs, sweep.csv, strip.png, plots/
  std::vector<SweepRun> runs;
  std::vector<std::filesystem::path> reports;  // files written after the runs
};

struct SweepOptions {
  bool overwrite = false;               // start existing runs afresh instead of resuming them
  int jobs = 1;                         // grid points at once; > 1: each in its own `retrain resume` process
  std::filesystem::path executable;     // the retrain binary those processes run (jobs > 1)
  std::vector<std::string> gpus;        // GPU ids to hand out to them, one each (see run_in_child_processes)
  std::optional<std::size_t> point;     // run only grid point K (0-based; a job array's task), no reports
};

// The number of grid points: the product of the axes' value counts. Points are numbered with the
// last axis fastest (0 = every axis at its first value).
std::size_t grid_size(const std::vector<SweepAxis>& axes);

// Runs every grid point of `base_yaml` (+ `overrides`, then the point's values) as out/name/<label>.
// Existing complete runs are kept, interrupted ones resumed (`overwrite` starts them afresh), so a
// sweep stopped half-way continues where it stopped. Every point is validated before any runs. With
// jobs > 1 the run directories are created here and run by child processes; a run that fails there
// does not stop the others, and the sweep then throws naming each failed run and its log. With
// `point`, only that run is made or resumed, in this process, and result.runs holds only it.
SweepResult run_sweep(const std::string& base_yaml, const std::string& origin, const std::vector<Override>& overrides,
                      const std::vector<SweepAxis>& axes, const SweepOptions& options = {});

}  // namespace retrain
