// Turns an input of `retrain metrics` (a path) into a feature matrix: a .npy feature file as stored, or
// the features of an image set (folder, EDM zip/folder, or the data.* of a config) from an extractor.
#pragma once
#include <torch/types.h>

#include <cstdint>
#include <string>

#include "retrain/features/feature_extractor.hpp"

namespace retrain {

// `spec` is one of:
//  - a .npy file: its float32 or float64 [N, D] matrix (N, D >= 1), returned as stored;
//  - a .zip or a directory holding dataset.json: an EDM dataset_tool set;
//  - any other directory: an image folder;
//  - a .yaml/.yml config with data.source: image: its data.* set; data.n > 0 takes the run's fixed real
//    set (the seeded draw of generation 0), data.n = 0 the whole set.
// Image sets keep their first `max_images` images (0 = all) and become extractor->features(images);
// `extractor` may be null only for .npy inputs. Features come back on the CPU. Anything else, or a
// missing or malformed input: UsageError naming the path and the reason.
torch::Tensor load_feature_input(const std::string& spec, const FeatureExtractor* extractor = nullptr,
                                 std::int64_t max_images = 0);

}  // namespace retrain
