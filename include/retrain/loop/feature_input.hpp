// Turns an input of `retrain metrics` (a path) into a feature matrix: a .npy feature file as stored, the
// features of an image set (folder, EDM zip/folder, or the data.* of a config) from an extractor, or the
// features of samples drawn from a checkpoint.
#pragma once
#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "retrain/features/feature_extractor.hpp"
#include "retrain/metrics/fid.hpp"

namespace retrain {

// Samples drawn from a checkpoint input when max_images is 0.
inline constexpr std::int64_t kDefaultCheckpointSamples = 10000;

// How checkpoint inputs are sampled.
struct CheckpointInputOptions {
  // The config with the checkpoint's model.* and method.* keys; empty: config.yaml of the run directory
  // around the checkpoint, else the checkpoint's own config.yaml (scripts/convert_checkpoint.py writes one).
  std::filesystem::path config;
  std::string device;  // where the network samples (cpu | cuda | auto); empty: the config's device
};

// `spec` is one of:
//  - a .npy file: its float32 or float64 [N, D] matrix (N, D >= 1), returned as stored;
//  - a .zip or a directory holding dataset.json: an EDM dataset_tool set;
//  - a directory holding model.safetensors or ema.safetensors: a checkpoint (see CheckpointSampler),
//    sampled with seeds 0 .. n-1 (n = max_images, or kDefaultCheckpointSamples when it is 0) from its EMA
//    weights; image models give extractor->features of the quantized samples, point models their samples
//    themselves (float32 [n, D]);
//  - any other directory: an image folder;
//  - a .yaml/.yml config with data.source: image: its data.* set; data.n > 0 takes the run's fixed real
//    set (the seeded draw of generation 0), data.n = 0 the whole set.
// Image sets keep their first `max_images` images (0 = all) and become extractor->features(images);
// `extractor` may be null only for .npy inputs. Features come back on the CPU. Anything else, or a
// missing or malformed input: UsageError naming the path and the reason.
torch::Tensor load_feature_input(const std::string& spec, const FeatureExtractor* extractor = nullptr,
                                 std::int64_t max_images = 0, const CheckpointInputOptions& checkpoint = {});

// A metrics input as FID statistics and, when there are any, its features.
struct FeatureSet {
  torch::Tensor features;  // [N, D] on the CPU; undefined for statistics read from an .npz
  FeatureStats stats;      // the features' mean and covariance, or the .npz's
};
// `spec` is an .npz of reference statistics (mu, sigma: load_reference_stats), which gives statistics
// only, or any input of load_feature_input, whose statistics are computed from its features.
FeatureSet load_feature_set(const std::string& spec, const FeatureExtractor* extractor = nullptr,
                            std::int64_t max_images = 0, const CheckpointInputOptions& checkpoint = {});

}  // namespace retrain
