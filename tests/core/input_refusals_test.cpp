// Inputs that used to be accepted silently or to crash, refused with an error naming the file or key:
// IDX headers whose size overflows or that hold no items, an empty CIFAR-10 batch, a config that
// repeats a key or sets a value the trainer cannot use, a fit cursor pointing past its permutation.
#include <gtest/gtest.h>

#include "data/image_test_files.hpp"
#include "retrain/loop/config.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/data/cifar10.hpp"
#include "retrain/data/idx.hpp"
#include "retrain/train/fit_cursor.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

namespace fs = std::filesystem;

TEST(InputRefusals, IdxHeadersThatOverflowOrHoldNothing) {
  test::ScratchDir dir;
  const auto file = dir / "images-idx3-ubyte";
  // magic 0x803, then three dimensions whose product overflows 64 bits
  test::write_text(file, test::big_endian(0x803) + test::big_endian(0xFFFFFFFF) + test::big_endian(0xFFFFFFFF) +
                             test::big_endian(0xFFFFFFFF));
  auto error = test::message_of<std::runtime_error>([&] { read_idx(file, std::nullopt, 0); });
  EXPECT_TRUE(test::contains(error, file.string()) && test::contains(error, "too large")) << error;
  test::write_text(file, test::big_endian(0x803) + test::big_endian(0) + test::big_endian(28) + test::big_endian(28));
  error = test::message_of<std::runtime_error>([&] { read_idx(file, std::nullopt, 0); });
  EXPECT_TRUE(test::contains(error, file.string()) && test::contains(error, "0 items")) << error;
}

TEST(InputRefusals, AnEmptyCifarBatch) {
  test::ScratchDir dir;
  test::write_text(dir / "test_batch.bin", "");
  const auto error = test::message_of<std::runtime_error>([&] { read_cifar10(dir.path(), "test"); });
  EXPECT_TRUE(test::contains(error, "test_batch.bin") && test::contains(error, "empty file")) << error;
}

TEST(InputRefusals, ARepeatedConfigKeyAndValuesTheTrainerCannotUse) {
  auto error = test::message_of<UsageError>([] { load_config_text("train: {lr: 0.1}\ntrain: {batch: 4}\n", "x.yaml"); });
  EXPECT_TRUE(test::contains(error, "x.yaml:2: key 'train' appears twice")) << error;
  error = test::message_of<UsageError>([] { load_config_text("train: {lr: 0.1, lr: 0.2}\n", "x.yaml"); });
  EXPECT_TRUE(test::contains(error, "key 'train.lr' appears twice")) << error;
  error = test::message_of<UsageError>([] { load_config_text("train: {lr: 0}\n", "x.yaml"); });
  EXPECT_TRUE(test::contains(error, "key 'train.lr' expects a number > 0")) << error;
  error = test::message_of<UsageError>([] { load_config_text("train: {beta1: 1}\n", "x.yaml"); });
  EXPECT_TRUE(test::contains(error, "key 'train.beta1' expects a number in [0, 1)")) << error;
  error = test::message_of<UsageError>([] { load_config_text("model: {channels: 1000000000}\n", "x.yaml"); });
  EXPECT_TRUE(test::contains(error, "key 'model.channels' expects an integer in [1, 4096]")) << error;
}

TEST(InputRefusals, AFitCursorPastItsPermutationOrWithNegativeCounters) {
  test::ScratchDir dir;
  FitCursor cursor;
  cursor.images_total = 100;
  cursor.batch_size = 10;
  cursor.step = 3;
  cursor.order = torch::randperm(10);
  cursor.order_position = 4;
  cursor.generator_state = make_generator(1, 0, Stream::Fit).get_state();
  cursor.save(dir.path());
  EXPECT_NO_THROW(FitCursor::load(dir.path()));
  cursor.order_position = 1000000000;
  cursor.save(dir.path());
  auto error = test::message_of<std::runtime_error>([&] { FitCursor::load(dir.path()); });
  EXPECT_TRUE(test::contains(error, "order_position 1000000000 is past the end of the 10-element order")) << error;
  cursor.order_position = 4;
  cursor.step = -2;
  cursor.save(dir.path());
  error = test::message_of<std::runtime_error>([&] { FitCursor::load(dir.path()); });
  EXPECT_TRUE(test::contains(error, "step is -2 (expected >= 0)") && test::contains(error, dir.path().string()))
      << error;
}

}  // namespace
}  // namespace retrain
