// Runs several run directories at once, each as `retrain resume DIR -q` in its own process (a parallel
// sweep): each child gets its share of the CPU threads and, when GPUs are visible, a GPU of its own.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

namespace retrain {

struct ChildRun {
  std::string label;             // for the log, e.g. "lambda=0.5,seed=1"
  std::filesystem::path dir;     // an existing run directory (config.yaml written)
};

// Starts `executable resume DIR -q` for every run, at most `jobs` at a time. Child i's environment
// has OMP_NUM_THREADS = max(1, hardware threads / jobs) and, when `gpus` is not empty,
// CUDA_VISIBLE_DEVICES = gpus[slot % gpus.size()], so no two running children share a GPU while
// there are enough of them. Returns the runs whose process failed (their log.txt says why). On
// SIGINT/SIGTERM it passes SIGTERM on to the running children, waits for them (each stops at a safe
// point) and throws Interrupted.
std::vector<ChildRun> run_in_child_processes(const std::vector<ChildRun>& runs, int jobs,
                                             const std::filesystem::path& executable,
                                             const std::vector<std::string>& gpus);

// The GPU ids children may use: CUDA_VISIBLE_DEVICES's entries when it is set, else 0 .. count - 1.
std::vector<std::string> visible_gpus(int count);

}  // namespace retrain
