// Several runs of one base config over a grid of key values (a sweep; the demo is one too): each grid
// point is a sibling run directory, resumed when it exists, followed by the combined reports.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "retrain/core/config.hpp"

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

// Runs every grid point of `base_yaml` (+ `overrides`, then the point's values) as out/name/<label>.
// Existing complete runs are kept, interrupted ones resumed (`overwrite` starts them afresh), so a
// sweep stopped half-way continues where it stopped. Every point is validated before any runs.
SweepResult run_sweep(const std::string& base_yaml, const std::string& origin, const std::vector<Override>& overrides,
                      const std::vector<SweepAxis>& axes, bool overwrite);

}  // namespace retrain
