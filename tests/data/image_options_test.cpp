// apply_options and make_image_dataset: seeded subsets, mirrored copies, dropped labels, resolution
// checks, and dispatch on the format name.
#include <gtest/gtest.h>

#include "image_test_files.hpp"
#include "retrain/loop/config.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/data/make_image_dataset.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

// 20 images 1x2x3 whose first pixel is the image's index; label = index % 4.
ImageDataset numbered() {
  auto images = torch::zeros({20, 1, 2, 3}, torch::kUInt8);
  for (int i = 0; i < 20; ++i) images[i][0][0][0] = i;
  return ImageDataset("numbered", images, torch::arange(20) % 4, 4);
}

torch::Tensor first_pixels(const ImageDataset& ds) { return ds.images().select(1, 0).select(1, 0).select(1, 0); }

TEST(DatasetOptions, MaxSizeIsASeededSubsetInOriginalOrder) {
  DatasetOptions options{.max_size = 5, .seed = 7};
  const auto a = apply_options(numbered(), options), b = apply_options(numbered(), options);
  ASSERT_EQ(a.size(), 5);
  EXPECT_TRUE(torch::equal(a.images(), b.images()));
  const auto picked = first_pixels(a).to(torch::kInt64);
  EXPECT_TRUE(torch::equal(picked, std::get<0>(picked.sort())));
  EXPECT_TRUE(torch::equal(a.labels(), picked % 4));  // labels follow their images
  EXPECT_EQ(std::get<0>(at::_unique(picked)).numel(), 5);
  options.seed = 8;
  EXPECT_FALSE(torch::equal(apply_options(numbered(), options).images(), a.images()));
  options.max_size = 50;
  EXPECT_EQ(apply_options(numbered(), options).size(), 20);
}

TEST(DatasetOptions, XflipAppendsMirroredCopiesWithTheirLabels) {
  const auto ds = apply_options(numbered(), {.xflip = true});
  ASSERT_EQ(ds.size(), 40);
  EXPECT_TRUE(torch::equal(ds.images().slice(0, 0, 20), numbered().images()));
  EXPECT_EQ(ds.images()[23][0][0][2].item<int>(), 3);  // image 3's first pixel now in the last column
  EXPECT_EQ(ds.images()[23][0][0][0].item<int>(), 0);
  EXPECT_TRUE(torch::equal(ds.labels(), torch::cat({numbered().labels(), numbered().labels()})));
}

TEST(DatasetOptions, UseLabelsFalseDropsThem) {
  const auto ds = apply_options(numbered(), {.use_labels = false});
  EXPECT_FALSE(ds.has_labels());
  EXPECT_EQ(ds.num_classes(), 0);
}

TEST(DatasetOptions, ResolutionMismatchNamesExpectedAndFound) {
  EXPECT_EQ(apply_options(numbered(), {}).size(), 20);
  const auto ok = ImageDataset("sq", torch::zeros({1, 3, 4, 4}, torch::kUInt8), torch::Tensor(), 0);
  EXPECT_EQ(apply_options(ok, {.resolution = 4}).size(), 1);
  const auto msg = test::message_of<UsageError>([&] { apply_options(numbered(), {.resolution = 32}); });
  EXPECT_NE(msg.find("32x32"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2x3"), std::string::npos) << msg;
}

TEST(MakeImageDataset, DispatchesOnFormatAndAppliesOptions) {
  const test::ScratchDir dir;
  test::write_text(dir / "imgs/a/1.png", test::png_bytes(test::pattern(3, 4, 4, 1)));
  test::write_text(dir / "imgs/b/2.png", test::png_bytes(test::pattern(3, 4, 4, 2)));
  const ImageDatasetConfig config{.format = DataFormat::folder,
                                  .path = dir / "imgs",
                                  .class_from_subfolder = true,
                                  .options = {.xflip = true, .resolution = 4}};
  const auto ds = make_image_dataset(config);
  EXPECT_EQ(ds.size(), 4);
  EXPECT_TRUE(torch::equal(ds.labels(), torch::tensor({0, 1, 0, 1}, torch::kInt64)));
}

// Formats are parsed when the config loads: an unknown one is refused there, naming every allowed one.
TEST(MakeImageDataset, UnknownFormatListsTheAllowedOnes) {
  const auto msg = test::message_of<UsageError>([] { load_config_text("data: {format: tfrecord}", "exp.yaml"); });
  EXPECT_NE(msg.find("data.format"), std::string::npos) << msg;
  for (const auto& [format, value] : Choices<DataFormat>::items) EXPECT_NE(msg.find(format), std::string::npos) << msg;
}

}  // namespace
}  // namespace retrain
