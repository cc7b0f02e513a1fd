// Where a Trainer::fit call stands after a whole number of optimizer steps: the data order, the fit
// generator's state, the loss sums behind FitStats and the open window of per-step statistics. With the
// Trainer's own files it is a training snapshot from which an interrupted fit continues exactly as if it
// had never stopped.
#pragma once
#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>

#include "retrain/train/step_stats.hpp"

namespace retrain {

struct FitCursor {
  std::int64_t images_total = 0;    // the fit's budget: a snapshot of another fit must not continue this one
  std::int64_t batch_size = 0;      // the batch it was taken with (steps are counted in these)
  std::int64_t step = 0;            // optimizer steps done in this fit
  torch::Tensor order;              // the current epoch's permutation (int64; empty before the first draw)
  std::int64_t order_position = 0;  // indices of `order` already used
  torch::Tensor generator_state;    // the fit generator after `step` steps (CPU generator state bytes)
  double loss_first = 0.0, loss_last = 0.0;  // running sums over FitStats' first / last windows
  std::int64_t nonfinite_steps = 0;
  StepStatsSums stats;              // the train_stats.jsonl window since its last row

  // fit_cursor.safetensors (tensors) and fit_cursor.json (numbers) in `dir`, each written atomically.
  void save(const std::filesystem::path& dir) const;
  // Errors name the file and what is missing.
  static FitCursor load(const std::filesystem::path& dir);
};

// When Trainer::fit hands its state to `save`: every `every_images` images (0 = never) and when a stop
// signal arrives (then fit throws Interrupted after saving).
struct FitSnapshots {
  std::int64_t every_images = 0;
  std::function<void(const FitCursor&)> save;
};

}  // namespace retrain
