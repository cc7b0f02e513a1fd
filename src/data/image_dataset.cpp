// ImageDataset: validation of the stored tensors and conversion of batches to float in [-1, 1].
#include "retrain/data/image_dataset.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace retrain {

ImageDataset::ImageDataset(std::string name, torch::Tensor images, torch::Tensor labels,
                           std::int64_t num_classes)
    : name_(std::move(name)), images_(std::move(images)), labels_(std::move(labels)), num_classes_(num_classes) {
  const auto fail = [&](const std::string& what) {
    throw std::invalid_argument(fmt::format("image data set '{}': {}", name_, what));
  };
  if (!images_.defined() || images_.dim() != 4 || images_.scalar_type() != torch::kUInt8 ||
      !images_.device().is_cpu()) {
    fail("images must be a uint8 CPU tensor [N, C, H, W]");
  }
  images_ = images_.contiguous();
  if (!labels_.defined()) {
    if (num_classes_ != 0) fail("num_classes must be 0 without labels");
    return;
  }
  if (labels_.dim() != 1 || labels_.scalar_type() != torch::kInt64 || labels_.size(0) != images_.size(0)) {
    fail(fmt::format("labels must be int64 [{}], got {} {}", images_.size(0), c10::str(labels_.scalar_type()),
                     c10::str(labels_.sizes())));
  }
  labels_ = labels_.to(torch::kCPU).contiguous();
  if (labels_.numel() > 0 && (labels_.min().item<std::int64_t>() < 0 ||
                              labels_.max().item<std::int64_t>() >= num_classes_)) {
    fail(fmt::format("labels must lie in [0, {})", num_classes_));
  }
}

std::vector<std::int64_t> ImageDataset::shape() const {
  return {images_.size(1), images_.size(2), images_.size(3)};
}

ImageBatch ImageDataset::batch(const torch::Tensor& indices) const {
  const auto idx = indices.to(torch::kCPU, torch::kInt64);
  ImageBatch out;
  out.images = images_.index_select(0, idx).to(torch::kFloat32) / 127.5 - 1.0;
  if (has_labels()) out.labels = labels_.index_select(0, idx);
  return out;
}

}  // namespace retrain
