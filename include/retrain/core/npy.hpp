// NumPy .npy files (format version 1.0, little-endian, C order), so samples open with numpy.load.
#pragma once
#include <torch/types.h>

#include <filesystem>

namespace retrain {

// Writes `tensor` (float32, float64, int64, uint8) atomically.
void save_npy(const std::filesystem::path& path, const torch::Tensor& tensor);
// Reads what save_npy writes (and any little-endian C-order file of those dtypes); errors name the file.
torch::Tensor load_npy(const std::filesystem::path& path);

}  // namespace retrain
