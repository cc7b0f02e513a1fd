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

// Writes atomically. Tensors are copied to CPU and made contiguous; `metadata` goes to "__metadata__",
// with the file's CRC-32 (see Checksum).
void save_safetensors(const std::filesystem::path& path, const TensorMap& tensors,
                      const std::map<std::string, std::string>& metadata = {});

// Whether a file must carry the CRC-32 that save_safetensors writes ("retrain.crc32" in __metadata__,
// over header and data). A file from elsewhere has none; one retrain wrote and reads back alone (a sample
// shard) must, so that damage even to the checksum's own key is caught.
enum class Checksum { if_present, required };

// Throws std::runtime_error naming the file and what is wrong (truncated, bad header, unknown dtype,
// impossible shape or offsets, checksum mismatch), all checked before any tensor is allocated.
TensorMap load_safetensors(const std::filesystem::path& path, Checksum checksum = Checksum::if_present);

// The "__metadata__" strings of a file (empty when it has none); errors as load_safetensors.
std::map<std::string, std::string> load_safetensors_metadata(const std::filesystem::path& path);

// Convenience for a file that must hold `name`; the error names file and tensor.
torch::Tensor require_tensor(const TensorMap& tensors, const std::string& name, const std::filesystem::path& file);

}  // namespace retrain
