// Which implementation retrain's fused ops (ops/) run: their own kernels (the CPU loop, or the CUDA
// kernel in a build with RETRAIN_WITH_CUDA) or the equivalent plain ATen expression. Benchmarks flip it
// to measure the kernels against ATen in one run; tests flip it to compare the two. Process-wide.
#pragma once

namespace retrain::ops {

// automatic (the default): the CUDA kernels for CUDA tensors, ATen for CPU tensors, where ATen's
// vectorised loops measured faster than the scalar CPU kernel (docs/benchmarks/ops.md). kernel: the
// kernels everywhere (the CPU loop runs the CUDA kernel's math; tests use it). aten: ATen everywhere.
enum class OpPath { automatic, kernel, aten };

OpPath op_path();
void set_op_path(OpPath path);

// True when this build has the CUDA kernels (RETRAIN_WITH_CUDA); CUDA tensors take the ATen path otherwise.
bool have_cuda_kernels();

// Sets the path for a scope and restores the previous one.
class OpPathGuard {
 public:
  explicit OpPathGuard(OpPath path) : previous_(op_path()) { set_op_path(path); }
  ~OpPathGuard() { set_op_path(previous_); }
  OpPathGuard(const OpPathGuard&) = delete;
  OpPathGuard& operator=(const OpPathGuard&) = delete;

 private:
  OpPath previous_;
};

}  // namespace retrain::ops
