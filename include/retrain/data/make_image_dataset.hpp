// One entry point for every image data set format: reads with the format's reader, then applies the
// shared DatasetOptions.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "retrain/data/dataset_options.hpp"
#include "retrain/data/image_dataset.hpp"

namespace retrain {

struct ImageDatasetConfig {
  std::string format;                 // one of image_dataset_formats()
  std::filesystem::path path;         // cifar10: the cifar-10-batches-bin directory; edm: zip or folder;
                                      // folder: the image folder; idx: the images file
  std::string split = "train";        // cifar10 only: train or test
  std::filesystem::path labels_path;  // idx only: the labels file (empty: unlabelled)
  std::int64_t pad_to = 0;            // idx only: zero-pad images, centred, to pad_to x pad_to
  bool class_from_subfolder = false;  // folder only: label = index of the first-level sub-folder
  DatasetOptions options;
};

// "cifar10", "edm", "folder", "idx".
const std::vector<std::string>& image_dataset_formats();

// Reads the data set described by `config`; UsageError listing the allowed formats for an unknown one.
ImageDataset make_image_dataset(const ImageDatasetConfig& config);

}  // namespace retrain
