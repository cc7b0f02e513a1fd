// NumPy .npz archives: a zip of .npy files, one per array, named "<key>.npy" (numpy.savez writes them
// stored, numpy.savez_compressed deflated; both are read). FID reference statistics come this way
// (NVlabs/edm's `fid.py ref` and pytorch-fid's --save-stats write {mu, sigma}).
#pragma once
#include <torch/types.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace retrain {

// Every array of the archive by key (the entry name without ".npy"). std::runtime_error naming the file
// (and the entry) when it is missing, not a zip, or holds an entry that is not a readable .npy (dtypes
// as load_npy: float32, float64, int64, uint8).
std::map<std::string, torch::Tensor> load_npz(const std::filesystem::path& path);

// Writes the arrays, in order, as "<key>.npy" entries stored without compression (as numpy.savez), to
// `path` atomically. std::runtime_error naming the file on failure.
void save_npz(const std::filesystem::path& path, const std::vector<std::pair<std::string, torch::Tensor>>& arrays);

}  // namespace retrain
