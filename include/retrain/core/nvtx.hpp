// NVTX ranges for Nsight Systems timelines (data, forward, backward, optimizer, EMA, sampler steps,
// evaluation). Header-only nvtx3 in CUDA builds: a range costs a few nanoseconds when no profiler is
// attached. A build without CUDA compiles the ranges away.
#pragma once

#ifdef RETRAIN_WITH_CUDA
#include <nvtx3/nvToolsExt.h>
#endif

namespace retrain {

class NvtxRange {
 public:
  explicit NvtxRange(const char* name) {
#ifdef RETRAIN_WITH_CUDA
    nvtxRangePushA(name);
#else
    (void)name;
#endif
  }
  ~NvtxRange() {
#ifdef RETRAIN_WITH_CUDA
    nvtxRangePop();
#endif
  }
  NvtxRange(const NvtxRange&) = delete;
  NvtxRange& operator=(const NvtxRange&) = delete;
};

}  // namespace retrain
