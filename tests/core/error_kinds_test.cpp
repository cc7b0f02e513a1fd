// The error kinds: files that fail their checks are CorruptFile (bad input, exit 2, like UsageError),
// failures while running are RuntimeFailure (exit 1; DistError is one), whichever reader meets them.
#include <gtest/gtest.h>

#include <type_traits>

#include "retrain/core/atomic_file.hpp"
#include "retrain/core/errors.hpp"
#include "retrain/core/manifest.hpp"
#include "retrain/core/npy.hpp"
#include "retrain/core/rng.hpp"
#include "retrain/core/safetensors.hpp"
#include "retrain/dist/world.hpp"
#include "retrain/train/fit_cursor.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

static_assert(std::is_base_of_v<UsageError, CorruptFile>, "a corrupt file is bad input: exit 2");
static_assert(std::is_base_of_v<RuntimeFailure, DistError>, "a failed collective is a runtime failure: exit 1");
static_assert(!std::is_base_of_v<UsageError, RuntimeFailure>);

template <class Error>
std::string kind_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("another kind: ") + e.what();
  }
  return "no error";
}

TEST(ErrorKinds, DamagedFilesOfEveryReaderAreCorruptFilesNamingThem) {
  test::ScratchDir dir;
  const auto tensors = dir / "w.safetensors";
  save_safetensors(tensors, {{"w", torch::ones({4, 4})}});
  std::filesystem::resize_file(tensors, 40);
  EXPECT_TRUE(test::contains(kind_of<CorruptFile>([&] { load_safetensors(tensors); }), tensors.string()));

  const auto npy = dir / "x.npy";
  write_file_atomic(npy, "not an array");
  EXPECT_TRUE(test::contains(kind_of<CorruptFile>([&] { load_npy(npy); }), npy.string()));

  const auto checkpoint = dir / "ck";
  std::filesystem::create_directories(checkpoint);
  write_file_atomic(checkpoint / "a.txt", "a");
  write_manifest(checkpoint);
  write_file_atomic(checkpoint / "b.txt", "added later");
  EXPECT_TRUE(test::contains(kind_of<CorruptFile>([&] { require_manifest(checkpoint, "checkpoint"); }),
                             checkpoint.string()));

  const auto cursor_dir = dir / "cursor";
  std::filesystem::create_directories(cursor_dir);
  FitCursor cursor;
  cursor.images_total = 100;
  cursor.batch_size = 10;
  cursor.step = -2;  // counters no fit can have written
  cursor.order = torch::arange(10);
  cursor.generator_state = make_generator(1, 0, Stream::Fit).get_state();
  cursor.save(cursor_dir);
  EXPECT_TRUE(test::contains(kind_of<CorruptFile>([&] { FitCursor::load(cursor_dir); }), cursor_dir.string()));
}

}  // namespace
}  // namespace retrain
