// make_image_dataset: dispatch on the format name to a reader, then apply_options.
#include "retrain/data/make_image_dataset.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "retrain/core/errors.hpp"
#include "retrain/data/cifar10.hpp"
#include "retrain/data/edm_dataset.hpp"
#include "retrain/data/idx.hpp"
#include "retrain/data/image_folder.hpp"

namespace retrain {
namespace {

ImageDataset read(const ImageDatasetConfig& config) {
  if (config.format == "cifar10") return read_cifar10(config.path, config.split);
  if (config.format == "edm") return read_edm_dataset(config.path);
  if (config.format == "folder") return read_image_folder(config.path, config.class_from_subfolder);
  if (config.format == "idx") {
    const auto labels = config.labels_path.empty() ? std::nullopt : std::optional(config.labels_path);
    return read_idx(config.path, labels, config.pad_to);
  }
  throw UsageError(fmt::format("unknown image data set format '{}' (expected one of: {})", config.format,
                               fmt::join(image_dataset_formats(), ", ")));
}

}  // namespace

const std::vector<std::string>& image_dataset_formats() {
  static const std::vector<std::string> formats{"cifar10", "edm", "folder", "idx"};
  return formats;
}

ImageDataset make_image_dataset(const ImageDatasetConfig& config) {
  return apply_options(read(config), config.options);
}

}  // namespace retrain
