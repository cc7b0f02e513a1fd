// .npz archives: what save_npz writes numpy.load reads and the other way round (numpy.savez stores,
// numpy.savez_compressed deflates; column-major arrays), and unreadable files name themselves.
#include <gtest/gtest.h>

#include "retrain/core/npy.hpp"
#include "retrain/core/npz.hpp"
#include "test_support.hpp"

namespace retrain {
namespace {

const auto kF64 = torch::TensorOptions().dtype(torch::kFloat64);

TEST(Npz, RoundTripKeepsNamesDtypesAndShapes) {
  test::ScratchDir dir;
  torch::manual_seed(0);
  const auto matrix = torch::randn({5, 3}, kF64), vector = torch::randn({7});
  const auto count = torch::tensor(int64_t{42});
  save_npz(dir / "a.npz", {{"sigma", matrix}, {"mu", vector}, {"count", count}, {"pixels", torch::arange(6, torch::kUInt8)}});
  const auto arrays = load_npz(dir / "a.npz");
  ASSERT_EQ(arrays.size(), 4u);
  EXPECT_TRUE(torch::equal(arrays.at("sigma"), matrix));
  EXPECT_TRUE(torch::equal(arrays.at("mu"), vector));
  EXPECT_EQ(arrays.at("count").dim(), 0);
  EXPECT_EQ(arrays.at("count").item<std::int64_t>(), 42);
  EXPECT_EQ(arrays.at("pixels").scalar_type(), torch::kUInt8);
}

TEST(Npz, NumpyReadsOursAndWeReadNumpysStoredCompressedAndColumnMajorArrays) {
  if (!std::filesystem::exists(test::kPython)) GTEST_SKIP() << "no Python at " << test::kPython;
  test::ScratchDir dir;
  save_npz(dir / "ours.npz", {{"x", torch::arange(12, kF64).view({3, 4})}, {"n", torch::tensor(int64_t{3})}});
  test::write_text(dir / "check.py", R"(
import sys
import numpy as np
ours = np.load(sys.argv[1] + "/ours.npz")
assert sorted(ours.files) == ["n", "x"], ours.files
assert ours["x"].dtype == np.float64 and (ours["x"] == np.arange(12.0).reshape(3, 4)).all()
assert ours["n"].shape == () and ours["n"] == 3
x = np.arange(12.0).reshape(3, 4)
np.savez(sys.argv[1] + "/stored.npz", x=x, f=np.asfortranarray(x), i=np.arange(5, dtype=np.int64))
np.savez_compressed(sys.argv[1] + "/deflated.npz", x=x.astype(np.float32), y=np.zeros((2, 0)))
)");
  const auto r = test::run_program(test::kPython, {(dir / "check.py").string(), dir.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto x = torch::arange(12, kF64).view({3, 4});
  const auto stored = load_npz(dir / "stored.npz");
  EXPECT_TRUE(torch::equal(stored.at("x"), x));
  EXPECT_TRUE(torch::equal(stored.at("f"), x)) << "column-major data read as the same matrix";
  EXPECT_TRUE(torch::equal(stored.at("i"), torch::arange(5, torch::kLong)));
  const auto deflated = load_npz(dir / "deflated.npz");
  EXPECT_TRUE(torch::equal(deflated.at("x"), x.to(torch::kFloat32)));
  EXPECT_EQ(deflated.at("y").sizes(), torch::IntArrayRef({2, 0}));
}

TEST(Npz, UnreadableFilesNameThemselvesAndTheEntry) {
  test::ScratchDir dir;
  test::write_text(dir / "text.npz", "not a zip");
  EXPECT_TRUE(test::contains(test::message_of<std::runtime_error>([&] { load_npz(dir / "text.npz"); }),
                             "'" + (dir / "text.npz").string() + "' is not a readable .npz file: not a zip archive"));
  EXPECT_TRUE(test::contains(test::message_of<std::runtime_error>([&] { load_npz(dir / "gone.npz"); }),
                             "is not a readable .npz file: no such file"));
  // A zip whose entry is not a .npy: the message names the file and the entry.
  save_npz(dir / "good.npz", {{"a", torch::zeros({2})}});
  auto bytes = test::read_text(dir / "good.npz");
  const auto magic = bytes.find("\x93NUMPY");
  ASSERT_NE(magic, std::string::npos);
  bytes[magic + 1] = 'X';  // stored uncompressed: libzip's CRC check or the .npy parser refuses it
  test::write_text(dir / "bad.npz", bytes);
  const auto message = test::message_of<std::runtime_error>([&] { load_npz(dir / "bad.npz"); });
  EXPECT_TRUE(test::contains(message, (dir / "bad.npz").string())) << message;
  EXPECT_THROW(save_npz(dir / "empty.npz", {}), std::runtime_error);
}

}  // namespace
}  // namespace retrain
