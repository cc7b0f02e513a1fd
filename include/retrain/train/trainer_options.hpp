// The train.* keys (and dist.bucket_mb, the gradient buckets of data parallelism): optimizer, batch,
// warm-up, EMA, clipping, accumulation, precision, snapshots and per-step statistics. The member
// initialisers are the keys' defaults; trainer_option_table() registers them.
#pragma once
#include <cstdint>

#include "retrain/core/choices.hpp"
#include "retrain/core/options.hpp"
#include "retrain/train/ema.hpp"

namespace retrain {

struct TrainerOptions {
  OptimizerKind optimizer = OptimizerKind::adam;  // adam (L2 weight decay) | adamw (decoupled weight decay)
  double lr = 1e-3;                // EDM's value; DDPM's CIFAR-10 uses 2e-4
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.0;
  std::int64_t batch_size = 256;
  double warmup_kimg = 0.0;        // lr ramps linearly from 0 over this many thousand images (EDM: 10000)
  EmaOptions ema;
  double grad_clip_norm = 0.0;     // > 0: rescale gradients to this global L2 norm at most
  std::int64_t accumulate = 1;     // passes per optimizer step (batch_size divisible by it)
  Precision precision = Precision::fp32;  // bf16: autocast around the loss (weights stay float32)
  bool channels_last = false;      // 4-D inputs and weights in channels-last memory format
  double bucket_mb = 25;           // several processes: MiB of gradients per all-reduce bucket (0: one)
  double snapshot_kimg = 1000.0;   // resumable snapshot of a generation's training every this many kimg
  std::int64_t stats_every = 100;  // a row of RUN/train_stats.jsonl every this many optimizer steps (0: none)
  std::int64_t report_every_steps = 100;  // progress callback interval (not a key)
  bool operator==(const TrainerOptions&) const = default;
};

const OptionTable<TrainerOptions>& trainer_option_table();

// UsageError naming the option and what was expected (ranges, batch divisible by accumulate); the
// Trainer and the config's loading both call it.
void validate(const TrainerOptions& options);

}  // namespace retrain
