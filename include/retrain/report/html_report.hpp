// `retrain report`: one self-contained HTML page per run or sweep (images embedded, charts as inline
// SVG, no script or network needed to view it), written at the end of every run and sweep.
#pragma once
#include <filesystem>
#include <optional>
#include <vector>

#include "retrain/report/reports.hpp"

namespace retrain {

// Writes the page of `dir` to `out` (default DIR/report.html) and returns its path. `dir` is a run
// directory, or a sweep directory: one whose sub-directories are runs (the grid points, in the natural
// order of their names). UsageError when it is neither.
std::filesystem::path write_report(const std::filesystem::path& dir, const std::optional<std::filesystem::path>& out = {});

// The page of sweep directory `dir` over `runs` (labels and order as the sweep made them).
std::filesystem::path write_sweep_report(const std::filesystem::path& dir, const std::vector<LabelledRun>& runs,
                                         const std::optional<std::filesystem::path>& out = {});

// The page written when a run (no `sweep_runs`) or a sweep finishes, to DIR/report.html. A failure is
// logged as a warning naming `retrain report DIR`, which shows it again, instead of failing the finished
// work; nullopt then. A stop request (Interrupted) still propagates.
std::optional<std::filesystem::path> write_report_at_end(const std::filesystem::path& dir,
                                                         const std::vector<LabelledRun>& sweep_runs = {});

}  // namespace retrain
