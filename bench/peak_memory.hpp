// Peak memory of a benchmark phase, shared by the benchmark programs.
#pragma once
#include <sys/resource.h>
#include <torch/types.h>

#include <limits>

#ifdef RETRAIN_WITH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace retrain::bench {

// Peak memory of a phase: on CUDA the caching allocator's peak allocation since reset(); on CPU the
// process's peak resident set size, which cannot be reset (so a later phase reports max(earlier, own));
// nan for CUDA in a build without RETRAIN_CUDA.
class PeakMemory {
 public:
  explicit PeakMemory(torch::Device device) : device_(device) {}
  void reset() const {
#ifdef RETRAIN_WITH_CUDA
    if (device_.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(cuda_index());
#endif
  }
  double mib() const {
    if (device_.is_cuda()) {
#ifdef RETRAIN_WITH_CUDA
      const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(cuda_index());
      return static_cast<double>(stats.allocated_bytes[0].peak) / (1 << 20);
#else
      return std::numeric_limits<double>::quiet_NaN();  // a build without RETRAIN_CUDA reads none
#endif
    }
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024;  // Linux reports KiB
  }

 private:
  c10::DeviceIndex cuda_index() const { return device_.has_index() ? device_.index() : 0; }  // "cuda" = cuda:0
  torch::Device device_;
};

}  // namespace retrain::bench
