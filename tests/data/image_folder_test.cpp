// read_image_folder: recursive sorted PNG/JPEG listing, labels from first-level sub-folders.
#include <gtest/gtest.h>

#include "image_test_files.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/data/image_folder.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

TEST(ImageFolder, ClassSubfoldersGiveSortedIndicesAndJpegDecodes) {
  const test::ScratchDir dir;
  const auto root = dir / "pets";
  test::write_text(root / "dog/b.png", test::png_bytes(test::pattern(3, 6, 6, 1)));
  test::write_text(root / "cat/x/a.png", test::png_bytes(test::pattern(3, 6, 6, 2)));
  const auto flat = torch::full({3, 6, 6}, 0, torch::kUInt8);
  flat[0].fill_(200), flat[1].fill_(40), flat[2].fill_(120);
  test::write_text(root / "dog/c.JPG", test::jpeg_bytes(flat));
  test::write_text(root / "dog/notes.txt", "ignored");
  std::filesystem::create_directories(root / "emu");

  const auto ds = read_image_folder(root, true);
  EXPECT_EQ(ds.name(), "pets");
  ASSERT_EQ(ds.size(), 3);  // cat/x/a.png, dog/b.png, dog/c.JPG
  EXPECT_EQ(ds.num_classes(), 3);  // cat, dog, emu
  EXPECT_TRUE(torch::equal(ds.labels(), torch::tensor({0, 1, 1}, torch::kInt64)));
  EXPECT_TRUE(torch::equal(ds.images()[0], test::pattern(3, 6, 6, 2)));
  EXPECT_TRUE(torch::equal(ds.images()[1], test::pattern(3, 6, 6, 1)));
  const auto jpeg_error = (ds.images()[2].to(torch::kInt32) - flat.to(torch::kInt32)).abs().max();
  EXPECT_LE(jpeg_error.item<int>(), 2);  // JPEG is lossy; a flat colour survives almost exactly
}

TEST(ImageFolder, WithoutClassesIsUnlabelledAndAcceptsLooseFiles) {
  const test::ScratchDir dir;
  test::write_text(dir / "top.png", test::png_bytes(test::pattern(1, 3, 3, 9)));
  test::write_text(dir / "sub/in.png", test::png_bytes(test::pattern(1, 3, 3, 4)));
  const auto ds = read_image_folder(dir.path(), false);
  ASSERT_EQ(ds.size(), 2);
  EXPECT_FALSE(ds.has_labels());
  EXPECT_TRUE(torch::equal(ds.images()[0], test::pattern(1, 3, 3, 4)));  // "sub/in.png" < "top.png"
}

TEST(ImageFolder, LooseFileWithClassesAndOtherResolutionAreNamed) {
  const test::ScratchDir dir;
  test::write_text(dir / "a/one.png", test::png_bytes(test::pattern(3, 4, 4, 0)));
  test::write_text(dir / "loose.png", test::png_bytes(test::pattern(3, 4, 4, 0)));
  auto msg = test::message_of<std::runtime_error>([&] { read_image_folder(dir.path(), true); });
  EXPECT_NE(msg.find("loose.png"), std::string::npos) << msg;

  test::write_text(dir / "b/big.png", test::png_bytes(test::pattern(3, 5, 4, 0)));
  msg = test::message_of<std::runtime_error>([&] { read_image_folder(dir.path(), false); });
  EXPECT_NE(msg.find("big.png"), std::string::npos) << msg;
}

TEST(ImageFolder, MissingFolderIsAUsageError) {
  const test::ScratchDir dir;
  EXPECT_THROW(read_image_folder(dir / "absent", false), UsageError);
}

}  // namespace
}  // namespace retrain
