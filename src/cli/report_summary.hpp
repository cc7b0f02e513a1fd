// Console summary of a sweep: the first and last evaluated metrics of each run, and where the files are.
#pragma once
#include "retrain/report/sweep.hpp"

namespace retrain::cli {

void print_sweep_summary(const SweepResult& result);

}  // namespace retrain::cli
