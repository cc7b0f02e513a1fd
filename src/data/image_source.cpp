// ImageSource: config -> reader options, and seeded subsets.
#include "retrain/data/image_source.hpp"

#include <fmt/format.h>

#include "retrain/data/data_options.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/data/make_image_dataset.hpp"

namespace retrain {

ImageSource::ImageSource(ImageDataset dataset) : dataset_(std::move(dataset)) {}

ImageSource ImageSource::from_config(const DataOptions& c) {
  ImageDatasetConfig r;
  r.format = c.format;
  r.path = c.path;
  r.split = c.split;
  r.labels_path = c.labels;
  r.pad_to = c.pad_to;
  r.class_from_subfolder = c.class_from_subfolder;
  r.options.use_labels = c.use_labels;
  r.options.xflip = c.xflip;
  r.options.resolution = c.resolution;
  auto dataset = make_image_dataset(r);
  if (c.use_labels && !dataset.has_labels())
    throw UsageError(fmt::format("data.use_labels: true, but '{}' has no labels (idx: set data.labels; folder: set "
                                 "data.class_from_subfolder; edm: dataset.json)", c.path));
  if (c.n > dataset.size())
    throw UsageError(fmt::format("data.n = {} but '{}' holds only {} images", c.n, c.path, dataset.size()));
  return ImageSource(std::move(dataset));
}

torch::Tensor ImageSource::draw_indices(std::int64_t n, at::Generator& gen) const {
  const auto size = dataset_.size();
  if (n < 0 || n > size) throw UsageError(fmt::format("cannot draw {} of the {} images of '{}'", n, size, dataset_.name()));
  if (n == 0 || n == size) return torch::arange(size, torch::kInt64);
  return std::get<0>(torch::randperm(size, gen, torch::kInt64).slice(0, 0, n).sort());
}

SampleSet ImageSource::draw(std::int64_t replicas, std::int64_t n, at::Generator& gen) const {
  if (replicas != 1) throw UsageError(fmt::format("image data draws one replica, asked for {}", replicas));
  const auto keep = draw_indices(n, gen);
  torch::Tensor x = dataset_.images(), labels = dataset_.labels();
  if (keep.size(0) < dataset_.size()) {
    x = x.index_select(0, keep);
    if (labels.defined()) labels = labels.index_select(0, keep);
  }
  return {x.unsqueeze(0), labels.defined() ? labels.unsqueeze(0) : labels};
}

std::string ImageSource::describe() const {
  const auto s = dataset_.shape();
  return fmt::format("images '{}' ({} x {}x{}x{}{})", dataset_.name(), dataset_.size(), s[0], s[1], s[2],
                     dataset_.has_labels() ? fmt::format(", {} classes", dataset_.num_classes()) : "");
}

}  // namespace retrain
