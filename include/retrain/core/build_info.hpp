// Facts fixed at build time, for `retrain info` and for run metadata.
#pragma once
#include <string>

namespace retrain {

struct BuildInfo {
  std::string version, git_commit, build_type, compiler, torch_version, torch_cuda_version, cuda_archs;
  std::string python, source_dir;  // the venv Python and source tree at configure time (for scripts/)
  bool with_cuda_kernels;
};
const BuildInfo& build_info();

}  // namespace retrain
