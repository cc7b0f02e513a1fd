// RETRAIN_HD marks per-element math compiled twice: into a CUDA kernel by nvcc and into the CPU loop
// of the same op by the host compiler (see docs/architecture.md, "ops").
#pragma once

#ifdef __CUDACC__
#define RETRAIN_HD __host__ __device__ __forceinline__
#else
#define RETRAIN_HD inline
#endif
