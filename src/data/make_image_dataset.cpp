// make_image_dataset: dispatch on the format to a reader, then apply_options.
#include "retrain/data/make_image_dataset.hpp"

#include <fmt/format.h>

#include "retrain/data/cifar10.hpp"
#include "retrain/data/edm_dataset.hpp"
#include "retrain/data/idx.hpp"
#include "retrain/data/image_folder.hpp"

namespace retrain {
namespace {

ImageDataset read(const ImageDatasetConfig& config) {
  switch (config.format) {
    case DataFormat::cifar10: return read_cifar10(config.path, choice_name(config.split));
    case DataFormat::edm: return read_edm_dataset(config.path);
    case DataFormat::folder: return read_image_folder(config.path, config.class_from_subfolder);
    case DataFormat::idx: break;
  }
  const auto labels = config.labels_path.empty() ? std::nullopt : std::optional(config.labels_path);
  return read_idx(config.path, labels, config.pad_to);
}

}  // namespace

ImageDataset make_image_dataset(const ImageDatasetConfig& config) {
  return apply_options(read(config), config.options);
}

}  // namespace retrain
