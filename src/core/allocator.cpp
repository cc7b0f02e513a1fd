// glibc malloc tuning through mallopt.
#include "retrain/core/allocator.hpp"

#include <malloc.h>

#include <cstdlib>

namespace retrain {

void keep_freed_memory_in_heap() {
  if (!std::getenv("MALLOC_MMAP_THRESHOLD_")) mallopt(M_MMAP_THRESHOLD, 256 << 20);
  if (!std::getenv("MALLOC_TRIM_THRESHOLD_")) mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace retrain
