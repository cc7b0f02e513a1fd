// Real images for the generation loop: an ImageDataset read from data.* keys; a draw of n images is a
// seeded subset (in data-set order), or the whole set.
#pragma once
#include "retrain/data/image_dataset.hpp"
#include "retrain/data/real_data.hpp"

namespace retrain {

class ImageSource final : public RealData {
 public:
  explicit ImageSource(ImageDataset dataset);
  // Reads the data set described by data.format, data.path, ... (UsageError naming the path on failure).
  static ImageSource from_config(const DataOptions& config);

  // x uint8 [1, n, C, H, W]; labels [1, n] when the set is labelled. replicas must be 1; n <= size.
  SampleSet draw(std::int64_t replicas, std::int64_t n, at::Generator& gen) const override;
  // The data-set indices (int64, ascending) of the images draw(1, n, gen) returns.
  torch::Tensor draw_indices(std::int64_t n, at::Generator& gen) const;
  std::string describe() const override;

  const ImageDataset& dataset() const { return dataset_; }

 private:
  ImageDataset dataset_;
};

}  // namespace retrain
