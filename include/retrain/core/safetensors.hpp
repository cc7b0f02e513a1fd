// Reading and writing the safetensors format (8-byte little-endian header length, JSON header with
// dtype/shape/data_offsets per tensor, then the raw little-endian bytes), so checkpoints are readable
// by the Python `safetensors` package and by anything that speaks the format.
#pragma once
#include <torch/types.h>

#include <filesystem>
#include <map>
#include <string>

namespace retrain {

using TensorMap = std::map<std::string, torch::Tensor>;

// Writes atomically. Tensors are copied to CPU and made contiguous; `metadata` goes to "__metadata__".
void save_safetensors(const std::filesystem::path& path, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// Throws std::runtime_error naming the file and what is wrong (truncated, bad header, unknown dtype).
TensorMap load_safetensors(const std::filesystem::path& path);

// The "__metadata__" strings of a file (empty when it has none); errors as load_safetensors.
std::map<std::string, std::string> load_safetensors_metadata(const std::filesystem::path& path);

// Convenience for a file that must hold `name`; the error names file and tensor.
torch::Tensor require_tensor(const TensorMap& tensors, const std::string& name, const std::filesystem::path& file);

}  // namespace retrain
