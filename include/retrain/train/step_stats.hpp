// Per-step statistics of a Trainer::fit (the rows of RUN/train_stats.jsonl): sums over the optimizer
// steps since the last row, kept on the fit's device and read only when a row is due, so logging adds no
// synchronisation to the other steps; the sums travel in training snapshots (FitCursor).
#pragma once
#include <nlohmann/json.hpp>
#include <torch/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

namespace retrain {

// Sums over the steps since the last row (what a snapshot saves to continue the window exactly).
struct StepStatsSums {
  double loss = 0.0, loss_squared = 0.0, grad_norm = 0.0;
  std::int64_t steps = 0;
};

struct StepStatsRow {
  std::int64_t step = 0, images = 0;           // optimizer steps and images of this fit so far
  double loss_mean = 0.0, loss_std = 0.0;      // over the steps since the previous row (std with ddof 0)
  double grad_norm = 0.0;                      // mean global gradient L2 norm (before clipping) over them
  double lr = 0.0;                             // the learning rate of the row's last step
  double images_per_s = 0.0;                   // over the steps this process trained since the previous row
  std::optional<double> peak_memory_mb;        // CUDA: the allocator's peak since the previous row (MiB)
};

// {"step", "images", "loss_mean", "loss_std", "grad_norm", "lr", "images_per_s"[, "peak_memory_mb"]}.
nlohmann::json to_json(const StepStatsRow& row);

// When Trainer::fit hands out a row: every `every_steps` optimizer steps and at the fit's last step
// (0 or no `write` = never).
struct FitStatsLog {
  std::int64_t every_steps = 0;
  std::function<void(const StepStatsRow&)> write;
};

class StepStatsWindow {
 public:
  // Continues the window of `start` (from a snapshot, or empty); `step` is the fit's step count now.
  StepStatsWindow(const torch::Device& device, const StepStatsSums& start, std::int64_t step);
  // One optimizer step's mean loss and gradient norm (0-d tensors on the device; nothing is read back).
  void add(const torch::Tensor& loss, const torch::Tensor& grad_norm);
  // The sums so far (reads them back).
  StepStatsSums sums() const;
  // The row after `step` steps of `batch` images, then an empty window (and a fresh CUDA peak).
  StepStatsRow row(std::int64_t step, std::int64_t batch, double lr);

 private:
  torch::Device device_;
  torch::Tensor sums_;  // float64 [3]: loss, loss^2, gradient norm
  std::int64_t steps_ = 0;
  std::int64_t timed_from_ = 0;  // the step the clock started at (a resumed window is timed from the resume)
  std::chrono::steady_clock::time_point since_;
};

}  // namespace retrain
