// Process-wide tuning of glibc malloc for tensor workloads: keep freed blocks in the heap instead of
// returning them to the kernel, so the same-sized tensors of every training or sampling step do not
// pay for fresh pages (page faults and zeroing were ~15% of a toy sampling pass).
#pragma once

namespace retrain {

// mmap threshold 256 MiB and trim threshold 1 GiB (glibc's M_MMAP_THRESHOLD / M_TRIM_THRESHOLD);
// environment settings MALLOC_MMAP_THRESHOLD_ / MALLOC_TRIM_THRESHOLD_ take precedence.
void keep_freed_memory_in_heap();

}  // namespace retrain
