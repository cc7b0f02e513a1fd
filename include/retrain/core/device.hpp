// The `device` setting (auto | cpu | cuda) resolved against what this process can see.
#pragma once
#include <torch/types.h>

#include <string>

namespace retrain {

// UsageError when cuda is asked for but no CUDA device is visible.
torch::Device resolve_device(const std::string& setting);

}  // namespace retrain
