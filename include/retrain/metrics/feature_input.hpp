// Turns an input of `retrain metrics` (a path) into a feature matrix. Today only .npy feature files; image
// folders, archives and configs need a feature extractor and are refused with a message saying so.
#pragma once
#include <torch/types.h>

#include <string>

namespace retrain {

// `spec` ending in .npy: its float32 or float64 [N, D] matrix (N, D >= 1), returned as stored, on the CPU.
// Anything else, or a missing or malformed file: UsageError naming the path and the reason.
torch::Tensor load_feature_input(const std::string& spec);

}  // namespace retrain
