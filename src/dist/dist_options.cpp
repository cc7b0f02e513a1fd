// The dist.* keys (dist_options.hpp).
#include "retrain/dist/dist_options.hpp"

namespace retrain {

using option_detail::kInf;

const OptionTable<DistOptions>& dist_option_table() {
  static const auto table = OptionTable<DistOptions>()
      .number("dist.timeout_s", &DistOptions::timeout_s, 0, kInf,
        "Several processes (torchrun, srun, scripts/launch_local.sh): seconds a rank waits for the others (joining, "
        "each collective, rank 0's commit and evaluation) before it fails naming the operation.", Open::low);
  return table;
}

}  // namespace retrain
