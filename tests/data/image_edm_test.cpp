// read_edm_dataset: dataset_tool zips and folders (PNGs + dataset.json) read back exactly; bad input named.
#include <gtest/gtest.h>

#include "image_test_files.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/data/edm_dataset.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

using Files = std::vector<std::pair<std::string, std::string>>;

// Three 4x5 images of `channels` channels in dataset_tool's naming, listed out of order, with labels.
Files edm_files(std::int64_t channels, const std::string& labels_json) {
  Files files{{"00001/img00000002.png", test::png_bytes(test::pattern(channels, 4, 5, 2))},
              {"00000/img00000000.png", test::png_bytes(test::pattern(channels, 4, 5, 0))},
              {"00000/img00000001.png", test::png_bytes(test::pattern(channels, 4, 5, 1))}};
  if (!labels_json.empty()) files.emplace_back("dataset.json", labels_json);
  return files;
}

const std::string kLabels =
    R"({"labels": [["00000/img00000000.png", 6], ["00000/img00000001.png", 2], ["00001/img00000002.png", 0]]})";

void write_folder(const std::filesystem::path& dir, const Files& files) {
  for (const auto& [name, bytes] : files) test::write_text(dir / name, bytes);
}

void expect_sorted_rgb_with_labels(const ImageDataset& ds) {
  ASSERT_EQ(ds.size(), 3);
  EXPECT_EQ(ds.shape(), (std::vector<std::int64_t>{3, 4, 5}));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(torch::equal(ds.images()[i], test::pattern(3, 4, 5, i))) << i;
  EXPECT_TRUE(torch::equal(ds.labels(), torch::tensor({6, 2, 0}, torch::kInt64)));
  EXPECT_EQ(ds.num_classes(), 7);
}

TEST(EdmDataset, ZipWithLabelsReadsBackInPathOrder) {
  const test::ScratchDir dir;
  test::write_zip(dir / "set.zip", edm_files(3, kLabels));
  const auto ds = read_edm_dataset(dir / "set.zip");
  EXPECT_EQ(ds.name(), "set.zip");
  expect_sorted_rgb_with_labels(ds);
}

TEST(EdmDataset, FolderWithLabelsReadsBackInPathOrder) {
  const test::ScratchDir dir;
  write_folder(dir / "set", edm_files(3, kLabels));
  expect_sorted_rgb_with_labels(read_edm_dataset(dir / "set"));
}

TEST(EdmDataset, GrayscaleWithNullLabelsIsOneChannelUnlabelled) {
  const test::ScratchDir dir;
  test::write_zip(dir / "gray.zip", edm_files(1, R"({"labels": null})"));
  const auto ds = read_edm_dataset(dir / "gray.zip");
  EXPECT_EQ(ds.shape(), (std::vector<std::int64_t>{1, 4, 5}));
  EXPECT_TRUE(torch::equal(ds.images()[2], test::pattern(1, 4, 5, 2)));
  EXPECT_FALSE(ds.has_labels());
  EXPECT_EQ(ds.num_classes(), 0);
}

TEST(EdmDataset, WithoutDatasetJsonIsUnlabelled) {
  const test::ScratchDir dir;
  write_folder(dir / "set", edm_files(3, ""));
  EXPECT_FALSE(read_edm_dataset(dir / "set").has_labels());
}

TEST(EdmDataset, ImageOfAnotherResolutionIsNamed) {
  const test::ScratchDir dir;
  auto files = edm_files(3, kLabels);
  files.emplace_back("00001/img00000003.png", test::png_bytes(test::pattern(3, 8, 8, 3)));
  test::write_zip(dir / "mixed.zip", files);
  const auto msg = test::message_of<std::runtime_error>([&] { read_edm_dataset(dir / "mixed.zip"); });
  EXPECT_NE(msg.find("mixed.zip:00001/img00000003.png"), std::string::npos) << msg;
}

TEST(EdmDataset, ImageWithoutLabelAndCorruptPngAreNamed) {
  const test::ScratchDir dir;
  write_folder(dir / "a", edm_files(3, R"({"labels": [["00000/img00000000.png", 1]]})"));
  auto msg = test::message_of<std::runtime_error>([&] { read_edm_dataset(dir / "a"); });
  EXPECT_NE(msg.find("00000/img00000001.png"), std::string::npos) << msg;

  write_folder(dir / "b", {{"x/broken.png", "not a png"}});
  msg = test::message_of<std::runtime_error>([&] { read_edm_dataset(dir / "b"); });
  EXPECT_NE(msg.find("broken.png"), std::string::npos) << msg;
}

TEST(EdmDataset, MissingPathIsAUsageError) {
  const test::ScratchDir dir;
  EXPECT_THROW(read_edm_dataset(dir / "nothing.zip"), UsageError);
}

}  // namespace
}  // namespace retrain
