// The gen0.* and loop.* keys (loop_options.hpp).
#include "retrain/loop/loop_options.hpp"

namespace retrain {

using option_detail::kInf;

const OptionTable<Gen0Options>& gen0_option_table() {
  static const auto table = OptionTable<Gen0Options>()
      .number("gen0.kimg", &Gen0Options::kimg, 0, kInf,
        "diffusion: training of generation 0 on real data, thousands of images (after gen0.checkpoint, if any).")
      .text("gen0.checkpoint", &Gen0Options::checkpoint,
        "diffusion: start generation 0 from this checkpoint directory (model/ema[/optimizer].safetensors, e.g. "
        "made by "
        "scripts/convert_checkpoint.py); \"\" = from scratch.");
  return table;
}

const OptionTable<LoopOptions>& loop_option_table() {
  static const auto table = OptionTable<LoopOptions>()
      .number("loop.generations", &LoopOptions::generations, 0, kInf,
        "T: retraining generations after generation 0 (which trains on real data only); 0 = plain training "
        "(`retrain train`).")
      .number("loop.kimg_per_generation", &LoopOptions::kimg_per_generation, 0, kInf,
        "diffusion: fine-tuning budget of each generation >= 1, thousands of images (not epochs).")
      .number("loop.lambda", &LoopOptions::lambda, 0, kInf,
        "lambda: each generation samples floor(lambda * n) synthetic samples from the previous model.")
      .choice("loop.real", &LoopOptions::real,
        "Real data in generations >= 1: fixed = the same n samples (paper 1); none = only synthetic "
        "(fully synthetic loop); fresh = a new draw of n real samples each generation.")
      .choice("loop.synthetic", &LoopOptions::synthetic,
        "replace: train on this generation's synthetic samples only; accumulate: keep every earlier generation's "
        "too.")
      .choice("loop.sample_from", &LoopOptions::sample_from,
        "diffusion: synthetic samples and evaluations come from the EMA weights or the raw trained weights.")
      .choice("loop.optimizer", &LoopOptions::optimizer,
        "diffusion: each generation resumes Adam's moments (Algorithm 1) or resets them (as some published code "
        "does).")
      .number("loop.shard_size", &LoopOptions::shard_size, 1, kInf,
        "Synthetic samples per shard file; a crash while sampling resumes at the first missing shard.")
      .nest(&LoopOptions::correction, correction_option_table());
  return table;
}

}  // namespace retrain
