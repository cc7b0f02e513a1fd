// Features of a real image set under an extractor, cached on disk per (images, extractor): a run
// computes them once, later evaluations and resumes read them back.
#pragma once
#include <filesystem>
#include <string>

#include "retrain/features/feature_extractor.hpp"
#include "retrain/metrics/fid.hpp"

namespace retrain {

// A fingerprint of uint8 images [N, ...] (hex CRC-32 of the bytes, and N).
std::string image_fingerprint(const torch::Tensor& images);

// extractor.features(images), read from / written to `cache_dir`/features-<fingerprint>-<extractor
// id>.safetensors; an empty cache_dir computes without caching.
torch::Tensor reference_features(const torch::Tensor& images, const FeatureExtractor& extractor,
                                 const std::filesystem::path& cache_dir);

// The FID statistics of the real set: those of `features` [N, D], or, when `reference_stats` names an .npz
// (eval.reference_stats), the statistics it holds (load_reference_stats). UsageError naming the file when
// their dimension is not the features' D (statistics of another extractor).
FeatureStats real_set_stats(const torch::Tensor& features, const std::string& reference_stats);

}  // namespace retrain
