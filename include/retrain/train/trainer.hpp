// Trains a Denoiser with a Method: Adam/AdamW, linear lr warm-up in images, EMA, NaN/Inf gradient guard,
// optional gradient-norm clipping, gradient accumulation, data parallelism over a World of processes,
// bf16 autocast and channels-last; counts images seen; saves/loads everything a resumed run needs.
#pragma once
#include <ATen/core/Generator.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "retrain/diffusion/method.hpp"
#include "retrain/dist/world.hpp"
#include "retrain/models/denoiser.hpp"
#include "retrain/train/ema.hpp"
#include "retrain/train/fit_cursor.hpp"
#include "retrain/optim/fused_adam.hpp"
#include "retrain/train/step_stats.hpp"
#include "retrain/train/trainer_options.hpp"

namespace retrain {

// UsageError unless each of `processes` x `accumulate` micro-batches of a step gets batch / that many
// rows (the Trainer checks it; a launcher of several processes checks it before it starts them).
void require_batch_divides(std::int64_t batch, std::int64_t accumulate, int processes);

struct FitStats {
  double loss_first = 0.0, loss_last = 0.0;  // mean loss over the first / last 10% of steps (>= 1 step)
  std::int64_t steps = 0, images = 0;
  std::int64_t nonfinite_steps = 0;  // steps whose gradients held NaN/Inf (replaced by finite values)
  double seconds = 0.0, images_per_s = 0.0;
};

struct FitProgress {
  std::int64_t images_done, images_total, step;  // within this fit call; step counts from 1
  double loss;                                   // mean loss since the previous report
};
using FitCallback = std::function<void(const FitProgress&)>;

class Trainer {
 public:
  // The EMA starts as a copy of `net`. Throws UsageError for invalid options. With a World of several
  // processes (data parallelism) every rank starts from rank 0's weights and trains its stripe of each
  // global batch of options.batch_size; the gradients and the loss are summed over the ranks (in
  // buckets that overlap the backward pass, see GradientSync) before the gradient guard and the
  // optimizer step, so parameters, EMA and counters stay equal on every
  // rank, and W ranks equal one process with the same global batch up to the order of the sums
  // (with dropout: one process whose accumulate is W times theirs).
  Trainer(std::shared_ptr<Denoiser> net, std::shared_ptr<const Method> method, TrainerOptions options,
          World world = {});

  // Trains on ceil(images / batch_size) minibatches of `data` [N, ...] (labels [N] or undefined), both
  // on the network's device; uint8 data are images, fed as x / 127.5 - 1. Batches come from shuffled
  // epochs drawn from `gen` (a CPU generator), as does the method's noise. With the same generator
  // state, fit(a + b) equals fit(a); fit(b) when a is a whole number of epochs and batches, also
  // across save()/load().
  // Snapshots: `snapshots.save` receives a FitCursor every `snapshots.every_images` images and when a
  // stop signal arrives (fit then throws Interrupted). Passing that cursor as `resume` to a Trainer
  // restored with load() from the same moment continues the fit exactly: the parameters, EMA,
  // optimizer and returned loss statistics equal those of an uninterrupted fit.
  // Per-step statistics: `stats_log.write` receives a row every `stats_log.every_steps` steps and at the
  // last step; a resumed fit continues the open window, so its rows equal an uninterrupted fit's (the
  // timing and the peak memory aside).
  FitStats fit(const torch::Tensor& data, const torch::Tensor& labels, std::int64_t images, at::Generator& gen,
               const FitCallback& progress = {}, const FitCursor* resume = nullptr, const FitSnapshots& snapshots = {},
               const FitStatsLog& stats_log = {});

  // Writes model.safetensors, ema.safetensors, optimizer.safetensors (Adam moments and steps by
  // parameter name) and trainer.json into `dir` (created),
  // each file atomically.
  void save(const std::filesystem::path& dir) const;
  // Restores weights, EMA, optimizer state and counters saved by save(); options stay those given to
  // the constructor (a later generation may change lr). Errors name the file.
  void load(const std::filesystem::path& dir);
  // Starts from a checkpoint directory that may lack the optimizer state or trainer.json (a converted
  // EDM network pickle has neither): weights and EMA are required, the rest is used when present.
  void load_checkpoint(const std::filesystem::path& dir);
  // Fresh Adam moments and step counts (loop.optimizer: reset).
  void reset_optimizer();

  const std::shared_ptr<Denoiser>& net() const { return net_; }
  const std::shared_ptr<Denoiser>& ema() const { return ema_; }
  const TrainerOptions& options() const { return options_; }
  std::int64_t images_seen() const { return images_seen_; }
  std::int64_t step() const { return step_; }
  std::int64_t nonfinite_steps() const { return nonfinite_steps_; }

 private:
  double current_lr() const;
  struct GradientCheck {
    torch::Tensor nonfinite;  // 0-d bool: whether any gradient held NaN/Inf
    torch::Tensor norm;       // 0-d: the global L2 norm as computed (before the repair and clipping)
  };
  // Replaces NaN/Inf in the gradients (nan -> 0, +-inf -> +-1e5), then clips; the tensors it returns
  // stay on the device (no synchronisation).
  GradientCheck guard_gradients();
  // The summed per-sample loss of one accumulation pass (uint8 images converted, autocast applied).
  torch::Tensor pass_loss_sum(torch::Tensor x, const torch::Tensor& labels, at::Generator& gen, const torch::Tensor& keys);
  void load_counters(const std::filesystem::path& state_file);

  std::shared_ptr<Denoiser> net_, ema_;
  std::shared_ptr<const Method> method_;
  TrainerOptions options_;
  World world_;
  std::unique_ptr<FusedAdam> optimizer_;
  std::int64_t images_seen_ = 0, step_ = 0, nonfinite_steps_ = 0;
};

}  // namespace retrain
