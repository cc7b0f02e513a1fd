// Features of a real image set under an extractor, cached on disk per (images, extractor): a run
// computes them once, later evaluations and resumes read them back.
#pragma once
#include <filesystem>
#include <string>

#include "retrain/features/feature_extractor.hpp"

namespace retrain {

// A fingerprint of uint8 images [N, ...] (hex CRC-32 of the bytes, and N).
std::string image_fingerprint(const torch::Tensor& images);

// extractor.features(images), read from / written to `cache_dir`/features-<fingerprint>-<extractor
// id>.safetensors; an empty cache_dir computes without caching.
torch::Tensor reference_features(const torch::Tensor& images, const FeatureExtractor& extractor,
                                 const std::filesystem::path& cache_dir);

}  // namespace retrain
