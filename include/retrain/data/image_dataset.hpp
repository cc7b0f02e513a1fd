// ImageDataset: an in-memory set of uint8 images [N, C, H, W] with optional class labels; every image
// reader returns one, and batches come out as float in [-1, 1] like the networks expect.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace retrain {

// One batch: images float32 [B, C, H, W] in [-1, 1]; labels int64 [B], or undefined when unlabelled.
struct ImageBatch {
  torch::Tensor images;
  torch::Tensor labels;
};

class ImageDataset {
 public:
  // images: uint8 [N, C, H, W] on the CPU; labels: int64 [N] in [0, num_classes), or undefined (then
  // num_classes must be 0). Throws std::invalid_argument naming `name` when the pieces do not fit.
  ImageDataset(std::string name, torch::Tensor images, torch::Tensor labels, std::int64_t num_classes);

  const std::string& name() const { return name_; }
  std::int64_t size() const { return images_.size(0); }
  // [C, H, W] of every image.
  std::vector<std::int64_t> shape() const;
  bool has_labels() const { return labels_.defined(); }
  std::int64_t num_classes() const { return num_classes_; }
  const torch::Tensor& images() const { return images_; }
  const torch::Tensor& labels() const { return labels_; }

  // The images at `indices` (int64 [B]) as x / 127.5 - 1, and their labels.
  ImageBatch batch(const torch::Tensor& indices) const;

 private:
  std::string name_;
  torch::Tensor images_, labels_;
  std::int64_t num_classes_;
};

}  // namespace retrain
