// apply_options: the post-processing shared by all image readers (see dataset_options.hpp).
#include "retrain/data/dataset_options.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <fmt/format.h>

#include "retrain/core/errors.hpp"

namespace retrain {

ImageDataset apply_options(const ImageDataset& dataset, const DatasetOptions& options) {
  const auto shape = dataset.shape();
  if (options.resolution > 0 && (shape[1] != options.resolution || shape[2] != options.resolution)) {
    throw UsageError(fmt::format("data set '{}': expected resolution {}x{}, found {}x{}", dataset.name(),
                                 options.resolution, options.resolution, shape[1], shape[2]));
  }
  if (options.max_size < 0) {
    throw UsageError(fmt::format("data set '{}': max_size must be >= 0, got {}", dataset.name(), options.max_size));
  }
  torch::Tensor images = dataset.images();
  torch::Tensor labels = options.use_labels ? dataset.labels() : torch::Tensor();
  const std::int64_t num_classes = labels.defined() ? dataset.num_classes() : 0;
  if (options.max_size > 0 && options.max_size < dataset.size()) {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(options.seed);
    const auto keep = std::get<0>(torch::randperm(dataset.size(), gen, torch::kInt64)
                                      .slice(0, 0, options.max_size)
                                      .sort());
    images = images.index_select(0, keep);
    if (labels.defined()) labels = labels.index_select(0, keep);
  }
  if (options.xflip) {
    images = torch::cat({images, images.flip({3})});
    if (labels.defined()) labels = torch::cat({labels, labels});
  }
  return ImageDataset(dataset.name(), images, labels, num_classes);
}

}  // namespace retrain
