// Size of a network for `retrain info` and run logs: parameter and buffer element counts and bytes.
#pragma once
#include <torch/nn/module.h>

#include <nlohmann/json.hpp>

namespace retrain {

// {"parameters": elements, "buffers": elements, "bytes": parameters + buffers in memory}.
nlohmann::json network_size(const torch::nn::Module& net);

}  // namespace retrain
