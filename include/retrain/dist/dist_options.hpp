// The dist.* keys of several processes on one run (torchrun, srun, launch_local.sh); the gradient
// buckets (dist.bucket_mb) belong to the trainer (train/trainer_options.hpp).
#pragma once
#include "retrain/core/options.hpp"

namespace retrain {

struct DistOptions {
  double timeout_s = 1800;  // how long a rank waits for the others before it fails
};

const OptionTable<DistOptions>& dist_option_table();

}  // namespace retrain
