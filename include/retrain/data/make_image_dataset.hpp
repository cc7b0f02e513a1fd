// One entry point for every image data set format: reads with the format's reader, then applies the
// shared DatasetOptions.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "retrain/core/choices.hpp"
#include "retrain/data/dataset_options.hpp"
#include "retrain/data/image_dataset.hpp"

namespace retrain {

struct ImageDatasetConfig {
  DataFormat format = DataFormat::idx;
  std::filesystem::path path;         // cifar10: the cifar-10-batches-bin directory; edm: zip or folder;
                                      // folder: the image folder; idx: the images file
  DataSplit split = DataSplit::train;  // cifar10 only
  std::filesystem::path labels_path;  // idx only: the labels file (empty: unlabelled)
  std::int64_t pad_to = 0;            // idx only: zero-pad images, centred, to pad_to x pad_to
  bool class_from_subfolder = false;  // folder only: label = index of the first-level sub-folder
  DatasetOptions options;
};

// Reads the data set described by `config`.
ImageDataset make_image_dataset(const ImageDatasetConfig& config);

}  // namespace retrain
