// The train.* keys (trainer_options.hpp).
#include "retrain/train/trainer_options.hpp"

#include <fmt/format.h>

#include "retrain/core/errors.hpp"

namespace retrain {
namespace {

using option_detail::kInf;

const OptionTable<EmaOptions>& ema_table() {
  static const auto table = OptionTable<EmaOptions>()
      .number("train.ema_halflife_kimg", &EmaOptions::halflife_kimg, 0, kInf,
        "diffusion: EMA half-life in thousands of images; 0 = use train.ema_decay per step.")
      .number("train.ema_decay", &EmaOptions::decay, 0, 1,
        "diffusion: EMA decay per step (when ema_halflife_kimg is 0).")
      .number("train.ema_rampup", &EmaOptions::rampup_ratio, 0, kInf,
        "diffusion: EMA half-life ramp-up ratio (EDM: 0.05); 0 = none.")
      .flag("train.ema_warmup", &EmaOptions::decay_warmup,
        "diffusion, with ema_decay: the decay at optimizer step k is min(ema_decay, (1 + k) / (10 + k)) "
        "(ddpm-torch's EMA).");
  return table;
}

}  // namespace

const OptionTable<TrainerOptions>& trainer_option_table() {
  static const auto table = OptionTable<TrainerOptions>()
      .choice("train.optimizer", &TrainerOptions::optimizer,
        "diffusion: optimizer (adam: L2 weight decay; adamw: decoupled).")
      .number("train.lr", &TrainerOptions::lr, 0, kInf, "diffusion: learning rate.",
                               Open::low)
      .number("train.beta1", &TrainerOptions::beta1, 0, 1, "diffusion: Adam beta1.",
                               Open::high)
      .number("train.beta2", &TrainerOptions::beta2, 0, 1, "diffusion: Adam beta2.",
                               Open::high)
      .number("train.eps", &TrainerOptions::eps, 0, kInf, "diffusion: Adam epsilon.",
                               Open::low)
      .number("train.weight_decay", &TrainerOptions::weight_decay, 0, kInf,
        "diffusion: weight decay.")
      .number("train.batch", &TrainerOptions::batch_size, 1, kInf,
        "diffusion: minibatch size.")
      .number("train.warmup_kimg", &TrainerOptions::warmup_kimg, 0, kInf,
        "diffusion: linear learning-rate warm-up, thousands of images (counted over the whole run).")
      .nest(&TrainerOptions::ema, ema_table())
      .number("train.grad_clip", &TrainerOptions::grad_clip_norm, 0, kInf,
        "diffusion: clip the gradient norm to this value; 0 = no clipping.")
      .number("train.accumulate", &TrainerOptions::accumulate, 1, kInf,
        "diffusion: gradient accumulation: each optimizer step of train.batch images runs in this many passes.")
      .choice("train.precision", &TrainerOptions::precision,
        "diffusion: bf16 = bfloat16 autocast for the network on CUDA (weights, optimizer and EMA stay float32).")
      .flag("train.channels_last", &TrainerOptions::channels_last,
        "diffusion, unets on CUDA: channels-last memory format.")
      .number("train.snapshot_kimg", &TrainerOptions::snapshot_kimg, 0, kInf,
        "diffusion: while a generation trains, save a resumable snapshot (RUN/gen_NNNN.training/) every this many "
        "thousand images, and always when stopped by a signal; 0 = only when stopped. Resuming continues exactly.")
      .number("train.stats_every", &TrainerOptions::stats_every, 0, kInf,
        "diffusion: every this many optimizer steps (and at a generation's last step) append a row to "
        "RUN/train_stats.jsonl: loss mean and std, gradient norm, lr, images/s, CUDA peak memory; 0 = none.")
      .number("dist.bucket_mb", &TrainerOptions::bucket_mb, 0, 4096,
        "Several processes: MiB of gradients per all-reduce bucket; a bucket is summed while backward still computes "
        "the earlier layers (PyTorch DDP's default 25). 0 = one all-reduce after backward.");
  return table;
}

void validate(const TrainerOptions& o) {
  if (o.accumulate >= 1 && o.batch_size % o.accumulate != 0)
    throw UsageError(fmt::format("train.batch = {} is not divisible by train.accumulate = {}; each pass trains batch / "
                                 "accumulate images", o.batch_size, o.accumulate));
  check_ranges(trainer_option_table(), o, "trainer");
}

}  // namespace retrain
