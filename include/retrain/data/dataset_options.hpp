// Options every image reader honours, applied after reading by one shared function: resolution check,
// seeded subset, dropping labels, horizontal-flip augmentation.
#pragma once
#include <cstdint>

#include "retrain/data/image_dataset.hpp"

namespace retrain {

struct DatasetOptions {
  std::int64_t max_size = 0;   // > 0: keep a random subset of this many images (original order kept)
  std::uint64_t seed = 0;      // seeds the subset; the same seed always picks the same images
  bool xflip = false;          // append a horizontally mirrored copy of every image (labels kept)
  bool use_labels = true;      // false: drop the labels (num_classes becomes 0)
  std::int64_t resolution = 0; // > 0: every image must be resolution x resolution, else UsageError
};

// Applies, in order: resolution check, max_size subset, use_labels, xflip.
ImageDataset apply_options(const ImageDataset& dataset, const DatasetOptions& options);

}  // namespace retrain
