// Facts fixed at build time, for `retrain info` and for run metadata.
#pragma once
#include <string>

namespace retrain {

struct BuildInfo {
  std::string version, git_commit, build_type, compiler, torch_version, torch_cuda_version, cuda_archs;
  bool with_cuda_kernels;
};
const BuildInfo& build_info();

}  // namespace retrain
