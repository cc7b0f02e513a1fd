// ImageDataset: validation of the stored tensors and the [-1, 1] batches.
#include <gtest/gtest.h>

#include "retrain/data/image_dataset.hpp"

namespace retrain {
namespace {

TEST(ImageDataset, BatchMapsPixelsLinearlyToMinusOneOneAndSelectsLabels) {
  const auto images = torch::tensor({0, 255, 51, 204}, torch::kUInt8).view({2, 1, 1, 2});
  const ImageDataset ds("two", images, torch::tensor({3, 1}, torch::kInt64), 4);
  EXPECT_EQ(ds.size(), 2);
  EXPECT_EQ(ds.shape(), (std::vector<std::int64_t>{1, 1, 2}));
  const auto b = ds.batch(torch::tensor({1, 0, 1}, torch::kInt64));
  EXPECT_EQ(b.images.scalar_type(), torch::kFloat32);
  EXPECT_EQ(b.images.sizes(), (std::vector<std::int64_t>{3, 1, 1, 2}));
  EXPECT_TRUE(torch::allclose(b.images[1].flatten(), torch::tensor({-1.0f, 1.0f})));
  EXPECT_TRUE(torch::allclose(b.images[0].flatten(), torch::tensor({51 / 127.5f - 1, 204 / 127.5f - 1})));
  EXPECT_TRUE(torch::equal(b.labels, torch::tensor({1, 3, 1}, torch::kInt64)));
}

TEST(ImageDataset, UnlabelledBatchHasUndefinedLabels) {
  const ImageDataset ds("plain", torch::zeros({3, 3, 2, 2}, torch::kUInt8), torch::Tensor(), 0);
  EXPECT_FALSE(ds.has_labels());
  EXPECT_FALSE(ds.batch(torch::tensor({2}, torch::kInt64)).labels.defined());
}

TEST(ImageDataset, RejectsNonUint8ImagesAndLabelsOutOfRange) {
  EXPECT_THROW(ImageDataset("f", torch::zeros({1, 1, 2, 2}), torch::Tensor(), 0), std::invalid_argument);
  EXPECT_THROW(ImageDataset("l", torch::zeros({2, 1, 2, 2}, torch::kUInt8), torch::tensor({0, 2}), 2),
               std::invalid_argument);
  EXPECT_THROW(ImageDataset("n", torch::zeros({2, 1, 2, 2}, torch::kUInt8), torch::tensor({0}), 2),
               std::invalid_argument);
}

}  // namespace
}  // namespace retrain
