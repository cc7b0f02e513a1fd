// The process-wide op path switch.
#include "retrain/ops/op_path.hpp"

#include <atomic>

namespace retrain::ops {
namespace {
std::atomic<OpPath> g_path{OpPath::automatic};
}  // namespace

OpPath op_path() { return g_path.load(std::memory_order_relaxed); }
void set_op_path(OpPath path) { g_path.store(path, std::memory_order_relaxed); }

bool have_cuda_kernels() {
#ifdef RETRAIN_WITH_CUDA
  return true;
#else
  return false;
#endif
}

}  // namespace retrain::ops
