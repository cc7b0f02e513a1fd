// apply_gpu_settings: TF32 on and off leaves the legacy flags and the per-op precision agreeing, so
// code that reads the legacy flags (the profiler, allowTF32CuBLAS()) does not throw on a mix.
#include <gtest/gtest.h>

#include <ATen/Context.h>

#include "retrain/core/gpu_options.hpp"
#include "retrain/core/device.hpp"

namespace retrain {
namespace {

TEST(GpuSettings, Tf32SettingIsReadableThroughBothApis) {
  auto& context = at::globalContext();
  const bool cublas_before = context.allowTF32CuBLAS(), cudnn_before = context.allowTF32CuDNN();
  const bool benchmark_before = context.benchmarkCuDNN();
  for (const bool tf32 : {true, false}) {
    GpuOptions gpu;
    gpu.tf32 = tf32;
    gpu.cudnn_benchmark = !tf32;
    apply_gpu_settings(gpu);
    bool cublas = !tf32, cudnn = !tf32;
    ASSERT_NO_THROW(cublas = context.allowTF32CuBLAS()) << "tf32 " << tf32;
    ASSERT_NO_THROW(cudnn = context.allowTF32CuDNN()) << "tf32 " << tf32;
    EXPECT_EQ(cublas, tf32);
    EXPECT_EQ(cudnn, tf32);
    EXPECT_EQ(context.float32Precision(at::Float32Backend::CUDA, at::Float32Op::MATMUL) == at::Float32Precision::TF32,
              tf32);
    EXPECT_EQ(context.benchmarkCuDNN(), !tf32);
  }
  context.setAllowTF32CuBLAS(cublas_before);
  context.setAllowTF32CuDNN(cudnn_before);
  context.setBenchmarkCuDNN(benchmark_before);
}

}  // namespace
}  // namespace retrain
