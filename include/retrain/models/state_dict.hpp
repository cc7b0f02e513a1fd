// A module's state as a name -> tensor map (named_parameters + named_buffers, dotted names), the form
// checkpoints store in safetensors files, and the way back into a module.
#pragma once
#include <torch/nn/module.h>

#include <filesystem>

#include "retrain/core/safetensors.hpp"

namespace retrain {

// Parameters and buffers by their registered names, detached (not copied).
TensorMap state_dict(const torch::nn::Module& module);

// Copies every tensor of `state` into the module's parameter or buffer of the same name (converting
// dtype/device). Missing, unexpected or mis-shaped names throw CorruptFile naming `source`.
void load_state_dict(torch::nn::Module& module, const TensorMap& state, const std::filesystem::path& source);

}  // namespace retrain
