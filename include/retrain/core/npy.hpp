// NumPy .npy files (format version 1.0, little-endian, C order), so samples open with numpy.load.
#pragma once
#include <torch/types.h>

#include <filesystem>
#include <string>

namespace retrain {

// The bytes of a .npy file holding `tensor` (float32, float64, int64, uint8; std::runtime_error naming
// `origin` for other dtypes).
std::string npy_bytes(const torch::Tensor& tensor, const std::string& origin = "npy");
// Parses the bytes of a .npy file (little-endian, C order, the dtypes above); std::runtime_error naming
// `origin` (a file, or an array inside an .npz) and what is wrong.
torch::Tensor parse_npy(const std::string& bytes, const std::string& origin);

// Writes `tensor` (float32, float64, int64, uint8) atomically.
void save_npy(const std::filesystem::path& path, const torch::Tensor& tensor);
// Reads what save_npy writes (and any little-endian C-order file of those dtypes); errors name the file.
torch::Tensor load_npy(const std::filesystem::path& path);

}  // namespace retrain
