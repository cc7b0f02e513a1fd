// read_idx: raw and gzipped IDX files read back exactly, centred padding, bad files named, and the real
// Fashion-MNIST test split.
#include <gtest/gtest.h>

#include "image_test_files.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/data/idx.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

using test::idx_images;
using test::idx_labels;

torch::Tensor three_images() {
  return torch::stack({test::pattern(1, 3, 4, 0)[0], test::pattern(1, 3, 4, 50)[0], test::pattern(1, 3, 4, 99)[0]});
}

TEST(Idx, RawFilesReadBackExactly) {
  const test::ScratchDir dir;
  test::write_text(dir / "images-idx3-ubyte", idx_images(three_images()));
  test::write_text(dir / "labels-idx1-ubyte", idx_labels({4, 0, 9}));
  const auto ds = read_idx(dir / "images-idx3-ubyte", dir / "labels-idx1-ubyte");
  EXPECT_EQ(ds.name(), "images-idx3-ubyte");
  EXPECT_TRUE(torch::equal(ds.images(), three_images().unsqueeze(1)));
  EXPECT_TRUE(torch::equal(ds.labels(), torch::tensor({4, 0, 9}, torch::kInt64)));
  EXPECT_EQ(ds.num_classes(), 10);
}

TEST(Idx, GzippedFilesAreDetectedByTheirMagic) {
  const test::ScratchDir dir;
  test::write_gzip(dir / "img.gz", idx_images(three_images()));
  test::write_gzip(dir / "lab.gz", idx_labels({1, 2, 3}));
  const auto ds = read_idx(dir / "img.gz", dir / "lab.gz");
  EXPECT_TRUE(torch::equal(ds.images(), three_images().unsqueeze(1)));
  EXPECT_TRUE(torch::equal(ds.labels(), torch::tensor({1, 2, 3}, torch::kInt64)));
  EXPECT_FALSE(read_idx(dir / "img.gz", std::nullopt).has_labels());
}

TEST(Idx, PadToCentresTheImagesInZeros) {
  const test::ScratchDir dir;
  test::write_text(dir / "img", idx_images(three_images()));
  const auto ds = read_idx(dir / "img", std::nullopt, 8);
  ASSERT_EQ(ds.shape(), (std::vector<std::int64_t>{1, 8, 8}));
  // 3x4 in 8x8: 2 rows above, 3 below, 2 columns either side.
  EXPECT_TRUE(torch::equal(ds.images().slice(2, 2, 5).slice(3, 2, 6), three_images().unsqueeze(1)));
  EXPECT_EQ(ds.images().sum().item<std::int64_t>(), three_images().to(torch::kInt64).sum().item<std::int64_t>());
  EXPECT_THROW(read_idx(dir / "img", std::nullopt, 3), UsageError);
}

TEST(Idx, BadMagicTruncationAndCountMismatchAreNamed) {
  const test::ScratchDir dir;
  test::write_text(dir / "img", idx_images(three_images()));
  test::write_text(dir / "labels-as-images", idx_images(three_images()));
  auto msg = test::message_of<std::runtime_error>([&] { read_idx(dir / "img", dir / "labels-as-images"); });
  EXPECT_NE(msg.find("labels-as-images"), std::string::npos) << msg;
  EXPECT_NE(msg.find("magic"), std::string::npos) << msg;

  test::write_text(dir / "two-labels", idx_labels({1, 2}));
  msg = test::message_of<std::runtime_error>([&] { read_idx(dir / "img", dir / "two-labels"); });
  EXPECT_NE(msg.find("two-labels"), std::string::npos) << msg;

  test::write_text(dir / "short", idx_images(three_images()).substr(0, 30));
  msg = test::message_of<std::runtime_error>([&] { read_idx(dir / "short", std::nullopt); });
  EXPECT_NE(msg.find("short"), std::string::npos) << msg;

  test::write_text(dir / "bad.gz", "\x1f\x8b garbage");
  msg = test::message_of<std::runtime_error>([&] { read_idx(dir / "bad.gz", std::nullopt); });
  EXPECT_NE(msg.find("bad.gz"), std::string::npos) << msg;

  EXPECT_THROW(read_idx(dir / "absent", std::nullopt), UsageError);
}

TEST(Idx, RealFashionMnistTestSplit) {
  const std::filesystem::path root = "/usr/share/datasets/fashion-mnist";
  const auto images = root / "t10k-images-idx3-ubyte.gz", labels = root / "t10k-labels-idx1-ubyte.gz";
  if (!std::filesystem::exists(images) || !std::filesystem::exists(labels)) {
    GTEST_SKIP() << "Fashion-MNIST not installed in " << root;
  }
  const auto ds = read_idx(images, labels);
  EXPECT_EQ(ds.size(), 10000);
  EXPECT_EQ(ds.shape(), (std::vector<std::int64_t>{1, 28, 28}));
  EXPECT_EQ(ds.num_classes(), 10);
  EXPECT_EQ(ds.labels().min().item<std::int64_t>(), 0);
  EXPECT_EQ(ds.labels().max().item<std::int64_t>(), 9);
  EXPECT_TRUE(torch::equal(torch::bincount(ds.labels()), torch::full({10}, 1000, torch::kInt64)));
  EXPECT_GT(ds.images().to(torch::kFloat32).mean().item<float>(), 10.0f);  // not all black
}

}  // namespace
}  // namespace retrain
