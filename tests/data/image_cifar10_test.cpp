// read_cifar10: records written in the binary distribution's layout read back exactly; bad files named.
#include <gtest/gtest.h>

#include "image_test_files.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/data/cifar10.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

// One CIFAR record: the label byte, then the R, G and B planes of `chw` (uint8 [3, 32, 32]).
std::string record(std::uint8_t label, const torch::Tensor& chw) {
  const auto flat = chw.contiguous();
  std::string out(1, static_cast<char>(label));
  out.append(reinterpret_cast<const char*>(flat.data_ptr<std::uint8_t>()), 3072);
  return out;
}

TEST(Cifar10, ReadsTheTestSplitRecordByRecord) {
  const test::ScratchDir dir;
  const auto a = test::pattern(3, 32, 32, 5), b = test::pattern(3, 32, 32, 90);
  test::write_text(dir / "test_batch.bin", record(7, a) + record(0, b));
  const auto ds = read_cifar10(dir.path(), "test");
  EXPECT_EQ(ds.name(), "cifar10-test");
  EXPECT_EQ(ds.size(), 2);
  EXPECT_EQ(ds.num_classes(), 10);
  EXPECT_TRUE(torch::equal(ds.images()[0], a));
  EXPECT_TRUE(torch::equal(ds.images()[1], b));
  EXPECT_TRUE(torch::equal(ds.labels(), torch::tensor({7, 0}, torch::kInt64)));
}

TEST(Cifar10, TrainSplitConcatenatesTheFiveBatchesInOrder) {
  const test::ScratchDir dir;
  for (int i = 1; i <= 5; ++i) {
    test::write_text(dir / ("data_batch_" + std::to_string(i) + ".bin"), record(i, test::pattern(3, 32, 32, i)));
  }
  const auto ds = read_cifar10(dir.path(), "train");
  ASSERT_EQ(ds.size(), 5);
  EXPECT_TRUE(torch::equal(ds.labels(), torch::tensor({1, 2, 3, 4, 5}, torch::kInt64)));
  EXPECT_TRUE(torch::equal(ds.images()[3], test::pattern(3, 32, 32, 4)));
}

TEST(Cifar10, TruncatedFileIsNamedWithItsSize) {
  const test::ScratchDir dir;
  test::write_text(dir / "test_batch.bin", record(1, test::pattern(3, 32, 32, 1)).substr(0, 3000));
  const auto msg = test::message_of<std::runtime_error>([&] { read_cifar10(dir.path(), "test"); });
  EXPECT_NE(msg.find("test_batch.bin"), std::string::npos) << msg;
  EXPECT_NE(msg.find("3000"), std::string::npos) << msg;
}

TEST(Cifar10, LabelAboveNineIsNamedWithFileAndRecord) {
  const test::ScratchDir dir;
  test::write_text(dir / "test_batch.bin", record(2, test::pattern(3, 32, 32, 1)) + record(12, test::pattern(3, 32, 32, 2)));
  const auto msg = test::message_of<std::runtime_error>([&] { read_cifar10(dir.path(), "test"); });
  EXPECT_NE(msg.find("test_batch.bin"), std::string::npos) << msg;
  EXPECT_NE(msg.find("record 1"), std::string::npos) << msg;
}

TEST(Cifar10, MissingFileOrUnknownSplitIsAUsageError) {
  const test::ScratchDir dir;
  const auto msg = test::message_of<UsageError>([&] { read_cifar10(dir.path(), "train"); });
  EXPECT_NE(msg.find("data_batch_1.bin"), std::string::npos) << msg;
  EXPECT_THROW(read_cifar10(dir.path(), "valid"), UsageError);
  EXPECT_THROW(read_cifar10(dir / "absent", "test"), UsageError);
}

}  // namespace
}  // namespace retrain
